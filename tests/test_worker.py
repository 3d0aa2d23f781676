"""Tasks on a real Redis, run by a real `recert worker` process: the nightly run enqueued
by `recert nightly`, done by the worker in its own process, collected and reported here
(ACSM-GRACE-1: the CPT goes into grace on January 1 after the cycle).

The worker is another process, so it needs a database that both processes see: these run
on PostgreSQL (CI's second run) and skip on SQLite. Redis: RECERT_TEST_REDIS_URL, or a
database number of the local Redis picked from the test database's name, so that two
developers' runs do not share queues. With RECERT_REQUIRE_REDIS=1 (CI) a missing Redis
fails instead of skipping.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import zlib
from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from recert.core.actions.certifications import do_create_certification
from recert.core.models import History
from recert.renewals.models import Reminder

pytestmark = pytest.mark.worker

QUEUES = ["default", "batch"]


def _redis_url() -> str:
    explicit = os.environ.get("RECERT_TEST_REDIS_URL")
    if explicit:
        return explicit
    name = connection.settings_dict["NAME"]
    return f"redis://127.0.0.1:6379/{1 + zlib.crc32(str(name).encode()) % 15}"


def _rq_settings(url: str) -> dict:
    return {
        "TASKS": {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": QUEUES}},
        "RQ_QUEUES": {q: {"URL": url, "DEFAULT_TIMEOUT": 600} for q in QUEUES},
        "RQ": {"DEFAULT_RESULT_TTL": 3600,
               "QUEUE_CLASS": "recert.lib.task_queue.ResultKeepingQueue"},
    }


@pytest.fixture
def redis_url():
    import redis

    url = _redis_url()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if os.environ.get("RECERT_REQUIRE_REDIS"):
            pytest.fail(f"RECERT_REQUIRE_REDIS is set but Redis at {url} is unreachable: {error}")
        pytest.skip(f"needs a Redis server at {url} (start one with `redis-server "
                    f"--daemonize yes`, or set RECERT_TEST_REDIS_URL): {error}")
    with override_settings(**_rq_settings(url)):
        import django_rq

        for name in QUEUES:  # jobs left by an interrupted run would point at other rows
            django_rq.get_queue(name).empty()
        yield url


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(redis_url, tmp_path):
    """A `recert worker` process on the test Redis and the test database; stopped after."""
    import django_rq
    from rq import Worker

    _require_postgresql()
    name = f"test-{secrets.token_hex(4)}"
    environ = {k: v for k, v in os.environ.items() if k not in ("TASK_BACKEND", "EMAIL_HOST")}
    environ.update(REDIS_URL=redis_url, DATABASE_URL=_database_url(), DEBUG="0",
                   SECRET_KEY=secrets.token_urlsafe(50), RECERT_DATA=str(tmp_path / "data"),
                   LOG_LEVEL="INFO")
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "recert.cli", "worker", "--name", name],
            env=environ, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        queue = django_rq.get_queue("batch")
        for _ in range(120):  # until it has registered (bounded: 60 s)
            if any(w.name == name for w in Worker.all(queue=queue)) or process.poll() is not None:
                break
            time.sleep(0.5)
        if process.poll() is not None or not any(w.name == name for w in Worker.all(queue=queue)):
            pytest.fail(f"recert worker did not start:\n{log_path.read_text()}")
        yield name, log_path
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # warm shutdown: finishes the current task
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _require_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker is another process, and an SQLite test "
                    "database is not shared with it (CI runs this in its PostgreSQL run)")


@pytest.mark.django_db(transaction=True)
def test_recert_nightly_runs_its_chunks_on_a_real_worker(alice, alice_cpt, bob, programs,
                                                         sam, settings, worker):
    name, log_path = worker
    bob_cpt = do_create_certification(bob, programs[("ACSM", "CPT")], date(2025, 3, 15),
                                      actor=sam)
    settings.NIGHTLY_CHUNK_SIZE = 1
    out = StringIO()
    call_command("nightly", as_of="2029-01-02", wait=300, stdout=out)

    assert "2 professionals, 2 status changes, 2 reminders sent" in out.getvalue()
    # Done by the worker, in its own process and transactions, committed to the database.
    for certification in (alice_cpt, bob_cpt):
        certification.refresh_from_db()
        assert certification.status == "grace"
    assert Reminder.objects.filter(kind="grace_started").count() == 2
    assert History.objects.filter(action="status_change").count() == 2
    assert mail.outbox == []  # nothing sent from this process: the worker sent them
    log = log_path.read_text()
    assert log.count("recert.tasks.nightly_chunk(") >= 2 and "alice@example.com" in log

    # Again: the worker runs the chunks again and moves and sends nothing twice.
    out = StringIO()
    call_command("nightly", as_of="2029-01-02", wait=300, stdout=out)
    assert "2 professionals, 0 status changes, 0 reminders sent" in out.getvalue()
    assert History.objects.filter(action="status_change").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_task_result_names_the_worker_that_ran_it(alice, alice_cpt, worker):
    from recert import tasks

    name, _ = worker
    result = tasks.nightly_chunk.enqueue([alice.pk], "2029-01-02")
    assert tasks.wait_for([result], timeout=300) == []
    assert result.status == "SUCCESSFUL" and result.worker_ids == [name]
    assert result.return_value["status_changes"] == 1
    alice_cpt.refresh_from_db()
    assert alice_cpt.status == "grace"


def test_nightly_refuses_to_enqueue_when_no_worker_listens(redis_url, alice, alice_cpt):
    import django_rq

    with pytest.raises(CommandError, match="No task worker listens on the 'batch' queue"):
        call_command("nightly", as_of="2029-01-02")
    assert django_rq.get_queue("batch").count == 0
    alice_cpt.refresh_from_db()
    assert alice_cpt.status == "active"
