"""Helpers for tests that start other Recert processes (`recert worker`, `recert serve`)
on a real Redis and the test database.

Those processes need a database that the test process shares: PostgreSQL (CI's second run);
on SQLite such tests skip. Redis: RECERT_TEST_REDIS_URL, or a database number of the local
Redis picked from the test database's name, so that two developers' runs do not share
queues. With RECERT_REQUIRE_REDIS=1 (CI) a missing Redis fails instead of skipping.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

QUEUES = ["default", "batch"]


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the other process needs the test database too, and an "
                    "SQLite test database is not shared with it (CI runs this in its "
                    "PostgreSQL run)")


def redis_url_or_skip() -> str:
    import redis

    url = os.environ.get("RECERT_TEST_REDIS_URL") or (
        f"redis://127.0.0.1:6379/"
        f"{1 + zlib.crc32(str(connection.settings_dict['NAME']).encode()) % 15}")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if os.environ.get("RECERT_REQUIRE_REDIS"):
            pytest.fail(f"RECERT_REQUIRE_REDIS is set but Redis at {url} is unreachable: {error}")
        pytest.skip(f"needs a Redis server at {url} (start one with `redis-server "
                    f"--daemonize yes`, or set RECERT_TEST_REDIS_URL): {error}")
    return url


def rq_settings(url: str) -> dict:
    """The settings `TASK_BACKEND=rq` gives, on `url` (for override_settings)."""
    return {
        "TASKS": {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": QUEUES}},
        "RQ_QUEUES": {q: {"URL": url, "DEFAULT_TIMEOUT": 600} for q in QUEUES},
        "RQ": {"DEFAULT_RESULT_TTL": 3600,
               "QUEUE_CLASS": "recert.lib.task_queue.ResultKeepingQueue"},
    }


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def environment(redis_url: str, data: Path, **extra: str) -> dict[str, str]:
    """A production-like environment (DEBUG off) on the test database and `redis_url`."""
    environ = {k: v for k, v in os.environ.items()
               if k not in ("TASK_BACKEND", "EMAIL_HOST", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    environ.update(REDIS_URL=redis_url, DATABASE_URL=database_url(), DEBUG="0",
                   SECRET_KEY=secrets.token_urlsafe(50), RECERT_DATA=str(data),
                   LOG_LEVEL="INFO", SITE_URL="http://testserver", **extra)
    return environ


def wait_until(check: Callable[[], bool], *, seconds: float, what: str, log: Path) -> None:
    """Polls `check` (bounded), then fails with the process's log."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() >= deadline:
            pytest.fail(f"{what} within {seconds:.0f} s; its output:\n{log.read_text()}")
        time.sleep(0.5)


@contextmanager
def recert(args: list[str], environ: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """`recert ARGS` in a process of its own, output to `log`; stopped (SIGTERM) after."""
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "recert.cli", *args], env=environ,
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()  # warm shutdown: a worker finishes its current task
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
