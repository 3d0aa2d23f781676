"""Tasks on a real Redis, run by a real `recert worker` process: the nightly run enqueued
by `recert nightly`, done by the worker in its own process, collected and reported here
(ACSM-GRACE-1: the CPT goes into grace on January 1 after the cycle). On PostgreSQL only
(the worker needs the test database too); see tests/processes.py.
"""

from __future__ import annotations

import secrets
from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from recert.core.actions.certifications import do_create_certification
from recert.core.models import History
from recert.renewals.models import Reminder
from tests.processes import (
    QUEUES,
    environment,
    recert,
    redis_url_or_skip,
    require_postgresql,
    rq_settings,
    wait_until,
)

pytestmark = pytest.mark.processes


@pytest.fixture
def redis_url():
    url = redis_url_or_skip()
    with override_settings(**rq_settings(url)):
        import django_rq

        for name in QUEUES:  # jobs left by an interrupted run would point at other rows
            django_rq.get_queue(name).empty()
        yield url


@pytest.fixture
def worker(redis_url, tmp_path):
    """A `recert worker` process on the test Redis and the test database; stopped after."""
    import django_rq
    from rq import Worker

    require_postgresql()
    name = f"test-{secrets.token_hex(4)}"
    log = tmp_path / "worker.log"
    queue = django_rq.get_queue("batch")
    with recert(["worker", "--name", name], environment(redis_url, tmp_path / "data"),
                log) as process:
        wait_until(lambda: process.poll() is not None
                   or any(w.name == name for w in Worker.all(queue=queue)),
                   seconds=60, what="recert worker did not register", log=log)
        if process.poll() is not None:
            pytest.fail(f"recert worker stopped:\n{log.read_text()}")
        yield name, log


@pytest.mark.django_db(transaction=True)
def test_recert_nightly_runs_its_chunks_on_a_real_worker(alice, alice_cpt, bob, programs,
                                                         sam, settings, worker):
    name, log = worker
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
    output = log.read_text()
    assert output.count("recert.tasks.nightly_chunk(") >= 2 and "alice@example.com" in output

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


def test_nightly_says_when_redis_is_unreachable(db):
    # A port where nothing listens: the command names the problem instead of a traceback.
    with override_settings(**rq_settings("redis://127.0.0.1:9/0")), \
            pytest.raises(CommandError, match="Cannot reach the task queue on REDIS_URL"):
        call_command("nightly", as_of="2029-01-02")
