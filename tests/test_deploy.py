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


def test_check_deploy_is_clean_in_a_production_like_setting(tmp_path):
    """What a production server sets (issue 11, "A standing security suite"): PostgreSQL,
    Redis for the cache, sessions and RQ queues, SMTP, Stripe, behind a TLS proxy, `recert
    serve`'s DEBUG off. `check --deploy` must stay clean, warnings included. Nothing is
    contacted: the checks read settings only."""
    environ = {k: v for k, v in os.environ.items()
               if k not in ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "TASK_BACKEND",
                            "DATABASE_URL", "REDIS_URL")}
    environ.update({
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "recert.example.org,www.recert.example.org",
        "SITE_URL": "https://recert.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://recert.example.org",
        "RECERT_DATA": str(tmp_path),
        "DATABASE_URL": "postgres://recert:s3cret@db.internal:5432/recert",
        "REDIS_URL": "redis://cache.internal:6379/0",
        "TASK_BACKEND": "rq",
        "EMAIL_HOST": "smtp.example.org", "EMAIL_PORT": "587", "EMAIL_USE_TLS": "1",
        "EMAIL_HOST_USER": "recert", "EMAIL_HOST_PASSWORD": secrets.token_urlsafe(12),
        "DEFAULT_FROM_EMAIL": "Recert <no-reply@recert.example.org>",
        "STRIPE_SECRET_KEY": "sk_live_" + secrets.token_hex(12),
        "STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(12),
        "SECURE_PROXY_SSL_HEADER": "1", "TRUSTED_PROXY_COUNT": "1",
    })
    result = subprocess.run(
        [sys.executable, "-m", "recert.cli", "manage", "check", "--deploy",
         "--fail-level", "DEBUG"],
        env=environ, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
