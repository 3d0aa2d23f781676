"""`recert backup` and `recert restore`: the database and the uploaded documents in one
archive, with a manifest that says what is in it, so that a restore can check it found
every row and every file.

The archive is a gzipped tar:

    manifest.json       format, version, when, database vendor, row count per table,
                        every media file with its size and SHA-256
    database.sqlite3    SQLite: a copy made with sqlite3's online backup API
    database.dump       PostgreSQL: pg_dump's custom format (-Fc), restored with pg_restore
    media/...           the media folder (uploaded documents, CPR/AED cards)

A backup runs while Recert serves (both the online backup API and pg_dump read a
consistent snapshot). A restore replaces everything in the database: it refuses a
database that holds any account, or a media folder with files, unless forced.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

FORMAT = "recert-backup"
VERSION = 1
MANIFEST = "manifest.json"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Summary:
    path: Path
    vendor: str
    rows: int
    tables: int
    files: int

    def __str__(self) -> str:
        return (f"{self.rows} rows in {self.tables} tables ({self.vendor}) and {self.files} "
                f"uploaded files")


def _vendor(db: dict) -> str:
    engine = db["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine}.")


def _row_counts(connection) -> dict[str, int]:
    """Rows per table of the database behind a Django connection."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _media_files(media_root: Path) -> dict[str, dict]:
    """{relative posix path: {size, sha256}} of every regular file in the media folder."""
    if not media_root.is_dir():
        return {}
    out = {}
    for path in sorted(media_root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            rel = path.relative_to(media_root).as_posix()
            out[rel] = {"size": path.stat().st_size, "sha256": _sha256(path)}
    return out


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found on PATH: PostgreSQL backups need the PostgreSQL client "
            f"tools (pg_dump and pg_restore, Debian package postgresql-client, of the "
            f"server's major version or newer).")
    return found


def _pg_args(db: dict) -> tuple[list[str], dict]:
    """Connection options for pg_dump/pg_restore from DATABASE_URL's parts; the password
    goes in the environment, never on the command line."""
    args = []
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ, "PGDATABASE": db["NAME"]}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return [*args, "--no-password"], env


def _run(command: list[str], env: dict, what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}): "
                          f"{result.stderr.strip()[-2000:]}")


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


def backup(dest: Path, *, alias: str = "default") -> Summary:
    """Writes the archive to `dest` (through a temporary file, so a failed backup leaves no
    half archive under that name)."""
    from django.conf import settings
    from django.db import connections

    connection = connections[alias]
    db = connection.settings_dict
    vendor = _vendor(db)
    media_root = Path(settings.MEDIA_ROOT)
    dest = Path(dest).expanduser().resolve()
    if dest.is_dir():
        raise BackupError(f"{dest} is a folder; name the archive file to write "
                          f"(for example {dest / 'recert-backup.tar.gz'}).")
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="recert-backup-") as tmp:
        dump = Path(tmp) / DUMPS[vendor]
        if vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(dump)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        else:
            args, env = _pg_args(db)
            _run([_tool("pg_dump"), *args, "--format=custom", "--no-owner", "--no-privileges",
                  "--file", str(dump)], env, "pg_dump")
        counts = _row_counts(connection)
        files = _media_files(media_root)
        manifest = {
            "format": FORMAT, "version": VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "vendor": vendor, "database": DUMPS[vendor],
            "database_sha256": _sha256(dump),
            "tables": counts, "media": files,
        }
        partial = dest.with_name(dest.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode())
            tar.add(dump, arcname=DUMPS[vendor])
            for rel in files:
                tar.add(media_root / rel, arcname=f"media/{rel}", recursive=False)
        partial.replace(dest)
    return Summary(dest, vendor, sum(counts.values()), len(counts), len(files))


def _read_manifest(tar: tarfile.TarFile, src: Path) -> dict:
    try:
        member = tar.getmember(MANIFEST)
        manifest = json.loads(tar.extractfile(member).read())
    except (KeyError, AttributeError, ValueError):
        raise BackupError(
            f"{src} has no readable {MANIFEST}: it is not a Recert backup.") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"{src} is not a Recert backup of version {VERSION} "
                          f"(format {manifest.get('format')!r}, "
                          f"version {manifest.get('version')!r}).")
    return manifest


def _safe_media_path(name: str) -> str | None:
    """The media-relative path of an archive member, or None if it is not a plain path
    under media/ (an absolute path, .., or anything else is refused)."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or len(path.parts) < 2 \
            or path.parts[0] != "media":
        return None
    return PurePosixPath(*path.parts[1:]).as_posix()


def holds_data(alias: str = "default") -> str:
    """Why the database (or the media folder) must not be overwritten without --force:
    '' when it holds no account and no uploaded file."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connections

    users_table = get_user_model()._meta.db_table
    connection = connections[alias]
    connection.ensure_connection()
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        if users_table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(users_table)}")
            users = cursor.fetchone()[0]
            if users:
                return f"the database holds {users} accounts"
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir() and any(p.is_file() for p in media_root.rglob("*")):
        return f"the media folder {media_root} holds files"
    return ""


def restore(src: Path, *, force: bool = False, alias: str = "default") -> Summary:
    """Replaces the database and adds the media files from the archive at `src`, then
    checks that every table has the rows and every file the bytes the manifest lists."""
    from django.conf import settings
    from django.db import connections

    src = Path(src).expanduser().resolve()
    if not src.is_file():
        raise BackupError(f"{src} does not exist or is not a file.")
    connection = connections[alias]
    db = connection.settings_dict
    vendor = _vendor(db)
    media_root = Path(settings.MEDIA_ROOT)
    try:
        tar = tarfile.open(src, "r:*")
    except (tarfile.TarError, OSError) as e:
        raise BackupError(f"{src} cannot be read as a backup archive ({e}).") from None
    with tar, tempfile.TemporaryDirectory(prefix="recert-restore-") as tmp:
        manifest = _read_manifest(tar, src)
        if manifest["vendor"] != vendor:
            raise BackupError(
                f"{src} is a {manifest['vendor']} backup and DATABASE_URL names a {vendor} "
                f"database; restore it into a {manifest['vendor']} database.")
        media_members = {}
        for member in tar.getmembers():
            if member.name in (MANIFEST, manifest["database"]):
                continue
            rel = _safe_media_path(member.name)
            if rel is None or not member.isfile():
                raise BackupError(f"{src} holds {member.name!r}, which is not a file under "
                                  "media/: refused (nothing was restored).")
            media_members[rel] = member
        if set(media_members) != set(manifest["media"]):
            raise BackupError(f"{src} is incomplete: its files do not match its manifest.")
        reason = holds_data(alias)
        if reason and not force:
            raise BackupError(f"Not restored: {reason}. A restore replaces everything in the "
                              "database; run it again with --force to do so.")
        dump = Path(tmp) / manifest["database"]
        try:
            with tar.extractfile(manifest["database"]) as f, dump.open("wb") as out:
                shutil.copyfileobj(f, out)
        except (KeyError, AttributeError):
            raise BackupError(f"{src} has no {manifest['database']}.") from None
        if _sha256(dump) != manifest["database_sha256"]:
            raise BackupError(f"{src}: the database copy does not match its manifest "
                              "(the archive is damaged).")
        if vendor == "sqlite":
            connection.ensure_connection()
            source = sqlite3.connect(dump)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
            connection.close()
        else:
            connection.close()
            args, env = _pg_args(db)
            _run([_tool("pg_restore"), *args, "--dbname", db["NAME"], "--clean", "--if-exists",
                  "--no-owner", "--no-privileges", "--single-transaction", str(dump)],
                 env, "pg_restore")
        for rel, member in media_members.items():
            target = media_root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as f, target.open("wb") as out:
                shutil.copyfileobj(f, out)
    counts = _row_counts(connection)
    missing = {t: n for t, n in manifest["tables"].items() if counts.get(t) != n}
    if missing:
        raise BackupError(f"Restored, but these tables do not have the rows the backup "
                          f"listed: {missing}.")
    for rel, expected in manifest["media"].items():
        if _sha256(media_root / rel) != expected["sha256"]:
            raise BackupError(f"Restored, but media file {rel} does not match the backup.")
    return Summary(src, vendor, sum(counts.values()), len(counts), len(manifest["media"]))
