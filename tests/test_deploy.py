"""With DEBUG off and a proper environment, `recert manage check --deploy` reports nothing."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys


def test_check_deploy_is_clean(tmp_path):
    environ = {k: v for k, v in os.environ.items()
               if k not in ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    environ.update({
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "recert.example.org",
        "SITE_URL": "https://recert.example.org",
        "RECERT_DATA": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    })
    result = subprocess.run(
        [sys.executable, "-m", "recert.cli", "manage", "check", "--deploy",
         "--fail-level", "DEBUG"],
        env=environ, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout



def test_check_deploy_reports_a_missing_site_url(tmp_path):
    environ = {k: v for k, v in os.environ.items()
               if k not in ("DEBUG", "SECRET_KEY", "SITE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    environ.update({
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "recert.example.org",
        "RECERT_DATA": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    })
    result = subprocess.run(
        [sys.executable, "-m", "recert.cli", "manage", "check", "--deploy"],
        env=environ, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "recert.E002" in result.stderr and "SITE_URL is not set" in result.stderr
