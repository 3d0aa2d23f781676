"""`recert backup` / `recert restore` (issue 11 item 11): a seeded database and its uploaded
documents go into one archive and come back, every row and file, into an empty database.

The commands run as real processes on real databases (a SQLite file always; PostgreSQL
databases of their own when DATABASE_URL is PostgreSQL), as an operator would run them."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

SEED = r"""
import django
django.setup()
from datetime import date
from decimal import Decimal
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from recert.core.actions.credits import do_attach_document
from recert.core.actions.professionals import do_set_cpr_aed
from recert.core.models import CreditEntry, Professional
from recert.demo.people import load_demo
from recert.demo.renewals import load_demo_renewals

call_command("migrate", interactive=False, verbosity=0)
today = timezone.localdate()
load_demo(today, password="demo-pass-for-backup-test")
load_demo_renewals(today)
entry = CreditEntry.objects.order_by("pk").first()
do_attach_document(entry, SimpleUploadedFile("cert.pdf", b"%PDF-1.4 backup test " * 50),
                   actor=None)
person = Professional.objects.order_by("pk").first()
do_set_cpr_aed(person, actor=None, valid_until=date(2031, 1, 1),
               card=SimpleUploadedFile("card.png", b"\x89PNG\r\n\x1a\n" + b"x" * 300))
"""


def _env(data: Path, database_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"RECERT_DATA": str(data), "DJANGO_SETTINGS_MODULE": "recert.settings",
                "DEBUG": "1", "RECERT_REQUIRE_REDIS": "0"})
    env.pop("REDIS_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _run(args: list[str], env: dict, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                            timeout=600)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def _recert(command: list[str], env: dict, check: bool = True):
    return _run(["-m", "recert.cli", *command], env, check)


def _files(media: Path) -> dict[str, str]:
    return {p.relative_to(media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(media.rglob("*")) if p.is_file()}


def _round_trip(tmp_path: Path, url_a: str | None, url_b: str | None, counts) -> None:
    source, target = tmp_path / "a", tmp_path / "b"
    env_a, env_b = _env(source, url_a), _env(target, url_b)
    _run(["-c", SEED], env_a)
    archive = tmp_path / "backups" / "recert.tar.gz"
    out = _recert(["backup", str(archive)], env_a)
    assert "Backed up" in out.stdout and archive.is_file()

    before_rows, before_files = counts(env_a), _files(source / "media")
    assert before_rows["core_document"] == 1 and before_rows["core_cpraed"] >= 1
    assert before_rows["renewals_invoice"] >= 1 and before_rows["accounts_user"] >= 2
    assert len(before_files) == 2
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["tables"] == before_rows
    assert {k: v["sha256"] for k, v in manifest["media"].items()} == before_files

    out = _recert(["restore", str(archive)], env_b)
    assert "every row and file checked" in out.stdout
    assert counts(env_b) == before_rows
    assert _files(target / "media") == before_files

    # Now the target holds data: a second restore is refused unless forced.
    refused = _recert(["restore", str(archive)], env_b, check=False)
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert "Restored" in _recert(["restore", str(archive), "--force"], env_b).stdout
    assert counts(env_b) == before_rows


def _sqlite_counts(env: dict) -> dict[str, int]:
    path = Path(env["RECERT_DATA"]) / "recert.sqlite3"
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def test_sqlite_backup_restores_every_row_and_file_into_an_empty_database(tmp_path):
    _round_trip(tmp_path, None, None, _sqlite_counts)


def test_postgresql_backup_restores_every_row_and_file_into_an_empty_database(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("DATABASE_URL is not PostgreSQL (the SQLite round trip always runs)")
    import psycopg

    parts = urlsplit(url)
    base = parts.path.lstrip("/")
    names = [f"{base}_backup_a", f"{base}_backup_b"]

    def url_of(name: str) -> str:
        return urlunsplit(parts._replace(path=f"/{name}"))

    admin_url = url_of("postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')

    def counts(env: dict) -> dict[str, int]:
        with psycopg.connect(env["DATABASE_URL"]) as db:
            tables = [r[0] for r in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "ORDER BY tablename")]
            return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}

    try:
        _round_trip(tmp_path, url_of(names[0]), url_of(names[1]), counts)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- What a restore refuses ---------------------------------------------------------------

def _manifest() -> dict:
    """A manifest for this test run's database kind."""
    from django.db import connection

    vendor = "sqlite" if connection.vendor == "sqlite" else "postgresql"
    return {"format": "recert-backup", "version": 1, "vendor": vendor,
            "database": "database.sqlite3" if vendor == "sqlite" else "database.dump",
            "database_sha256": "0", "tables": {}, "media": {}}


def _archive(path: Path, manifest: dict, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in {"manifest.json": json.dumps(manifest).encode(), **members}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_restore_refuses_what_is_not_a_backup_or_escapes_the_media_folder(tmp_path, db,
                                                                          media):
    from recert.lib.backup import BackupError, restore

    garbage = tmp_path / "x.tar.gz"
    garbage.write_bytes(b"not a tar")
    with pytest.raises(BackupError, match="cannot be read as a backup archive"):
        restore(garbage)
    other = _archive(tmp_path / "o.tar.gz", {"format": "zip", "version": 1}, {})
    with pytest.raises(BackupError, match="not a Recert backup"):
        restore(other)
    manifest = _manifest()
    escaping = _archive(tmp_path / "e.tar.gz", manifest, {"media/../../evil.txt": b"x"})
    with pytest.raises(BackupError, match="not a file under media/"):
        restore(escaping)
    assert not (tmp_path / "evil.txt").exists()
    other_kind = "postgresql" if manifest["vendor"] == "sqlite" else "sqlite"
    wrong_kind = _archive(tmp_path / "p.tar.gz", {**manifest, "vendor": other_kind}, {})
    with pytest.raises(BackupError, match=f"is a {other_kind} backup"):
        restore(wrong_kind)


def test_restore_refuses_a_database_with_accounts(tmp_path, alice, media):
    from recert.lib.backup import BackupError, restore

    manifest = _manifest()
    archive = _archive(tmp_path / "a.tar.gz", manifest, {manifest["database"]: b""})
    with pytest.raises(BackupError, match="holds 1 accounts.*--force"):
        restore(archive)


def test_missing_postgresql_tools_are_named(monkeypatch):
    from recert.lib import backup

    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError, match="pg_dump was not found.*postgresql-client"):
        backup._tool("pg_dump")


def test_backup_and_restore_are_in_the_usage(capsys):
    from recert.cli import main

    assert main([]) == 0
    usage = capsys.readouterr().out
    assert "backup" in usage and "restore" in usage
