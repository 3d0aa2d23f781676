"""Background tasks with the immediate backend (the default: no server), and the nightly
run split into chunks: each chunk one task and one transaction, safe to retry and to run
twice (ACSM-GRACE-1 moves the CPT into grace on January 1 after the cycle)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django_tasks.signals import task_enqueued

from recert import tasks
from recert.core.actions.certifications import do_create_certification
from recert.core.models import History
from recert.renewals.models import Reminder

pytestmark = pytest.mark.django_db

GRACE_DAY = date(2029, 1, 2)  # the CPTs' first cycle ended on 2028-12-31


@pytest.fixture
def bob_cpt(bob, programs, sam):
    return do_create_certification(bob, programs[("ACSM", "CPT")], date(2025, 3, 15), actor=sam)


@pytest.fixture
def enqueued():
    """The task results enqueued while the test runs."""
    seen = []

    def receive(sender, task_result, **kwargs):
        seen.append(task_result)

    task_enqueued.connect(receive)
    yield seen
    task_enqueued.disconnect(receive)


def _nightly(day: date, **options) -> str:
    from io import StringIO

    out = StringIO()
    call_command("nightly", as_of=day.isoformat(), stdout=out, **options)
    return out.getvalue()


def _status_moves():
    return History.objects.filter(action="status_change").count()


def test_the_nightly_run_is_one_task_per_chunk_and_the_report_adds_them_up(
        settings, alice, alice_cpt, bob, bob_cpt, enqueued):
    settings.NIGHTLY_CHUNK_SIZE = 1
    out = _nightly(GRACE_DAY)
    assert [r.task.name for r in enqueued] == ["nightly_chunk", "nightly_chunk"]
    assert [r.args for r in enqueued] == [[[alice.pk], "2029-01-02"], [[bob.pk], "2029-01-02"]]
    assert all(r.task.queue_name == "batch" and r.status == "SUCCESSFUL" for r in enqueued)
    assert "2 professionals, 2 status changes, 2 reminders sent" in out
    alice_cpt.refresh_from_db()
    bob_cpt.refresh_from_db()
    assert alice_cpt.status == bob_cpt.status == "grace"

    settings.NIGHTLY_CHUNK_SIZE = 200
    enqueued.clear()
    assert "0 status changes, 0 reminders sent" in _nightly(GRACE_DAY)
    assert [r.args[0] for r in enqueued] == [[alice.pk, bob.pk]]


def test_a_chunk_run_twice_moves_nothing_twice_and_sends_nothing_twice(alice, alice_cpt, bob,
                                                                       bob_cpt):
    ids = [alice.pk, bob.pk]
    first = tasks.nightly_chunk.enqueue(ids, GRACE_DAY.isoformat())
    again = tasks.nightly_chunk.enqueue(ids, GRACE_DAY.isoformat())
    assert first.return_value["status_changes"] == 2 and first.return_value["reminders"] == 2
    assert again.return_value["status_changes"] == 0 and again.return_value["reminders"] == 0
    assert _status_moves() == 2 and len(mail.outbox) == 2
    assert sorted(Reminder.objects.values_list("kind", flat=True)) == ["grace_started"] * 2


def test_a_chunk_reads_what_it_acts_on_when_it_runs(alice, alice_cpt, bob, bob_cpt, sam):
    from recert.core.actions.history import do_soft_delete

    chunk = [alice.pk, bob.pk, 10**9]  # made earlier; since then a professional went away
    do_soft_delete(bob_cpt, actor=sam)
    result = tasks.nightly_chunk.enqueue(chunk, GRACE_DAY.isoformat())
    report = result.return_value
    assert report["failed"] == [] and report["status_changes"] == 1
    bob_cpt.refresh_from_db()
    assert bob_cpt.status == "active"  # deleted: no longer the nightly run's business


def test_a_chunk_that_fails_as_a_whole_is_rolled_back_reported_and_retried_safely(
        settings, alice, alice_cpt, bob, bob_cpt, monkeypatch):
    settings.NIGHTLY_CHUNK_SIZE = 1
    real = tasks.run_chunk

    def dies_before_commit(ids, today, *, actor=None):
        # The worker does the chunk's work, then dies before the commit.
        with transaction.atomic():
            report = real(ids, today, actor=actor)
            if ids == [alice.pk]:
                raise ConnectionError("server closed the connection")
        return report

    monkeypatch.setattr(tasks, "run_chunk", dies_before_commit)
    with pytest.raises(CommandError) as failure:
        _nightly(GRACE_DAY)
    message = str(failure.value)
    assert f"1 chunk(s) failed as a whole and were rolled back (professional ids {alice.pk};" \
        in message
    assert "builtins.ConnectionError" in message and "again retries them" in message
    alice_cpt.refresh_from_db()
    assert alice_cpt.status == "active"  # rolled back
    assert not Reminder.objects.filter(cycle__certification=alice_cpt).exists()

    monkeypatch.setattr(tasks, "run_chunk", real)
    out = _nightly(GRACE_DAY)
    assert "2 professionals, 1 status changes, 1 reminders sent" in out
    alice_cpt.refresh_from_db()
    assert alice_cpt.status == "grace"
    assert _status_moves() == 2
    assert Reminder.objects.filter(kind="grace_started").count() == 2


def test_no_wait_with_the_immediate_backend_still_runs_and_reports(alice, alice_cpt):
    out = _nightly(GRACE_DAY, no_wait=True)
    assert "1 professionals, 1 status changes, 1 reminders sent" in out


def test_wait_must_be_positive(db):
    with pytest.raises(CommandError, match="--wait: give a number of seconds, 1 or more"):
        _nightly(GRACE_DAY, wait=0)


def test_enqueue_on_commit_waits_for_the_commit(alice, alice_cpt, enqueued,
                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            tasks.enqueue_on_commit(tasks.nightly_chunk, [alice.pk], GRACE_DAY.isoformat())
            assert enqueued == []
    assert len(enqueued) == 1
    alice_cpt.refresh_from_db()
    assert alice_cpt.status == "grace"

    enqueued.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            tasks.enqueue_on_commit(tasks.nightly_chunk, [alice.pk], GRACE_DAY.isoformat())
            raise RuntimeError("rolled back")
    assert enqueued == []


def test_recert_worker_without_a_queue_says_tasks_run_in_process(monkeypatch, capsys):
    from recert.cli import main

    monkeypatch.setenv("DEBUG", "1")  # the command's default (off) must not leak
    assert main(["worker", "--burst"]) == 2
    assert "tasks run in-process (TASK_BACKEND=immediate)" in capsys.readouterr().err


WRITES = ("INSERT", "UPDATE", "DELETE")


def _chunk_sql(ids, day):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from recert.renewals.lifecycle import run_chunk

    with CaptureQueriesContext(connection) as captured:
        report = run_chunk(ids, day)
    return report, [q["sql"] for q in captured.captured_queries]


def test_a_second_run_of_a_chunk_writes_nothing_and_sends_nothing(alice, alice_cpt, bob,
                                                                  bob_cpt):
    from recert.accounts.models import VerifiedAddress

    # Bob never proved his address: his reminder is skipped, and noted once.
    VerifiedAddress.objects.filter(user=bob.user).delete()
    ids = [alice.pk, bob.pk]
    first, _ = _chunk_sql(ids, GRACE_DAY)
    assert (first.status_changes, first.reminders, first.reminders_skipped) == (2, 1, 1)
    notes = History.objects.filter(action="skip_email").count()
    assert notes == 1
    outbox = len(mail.outbox)

    again, sql = _chunk_sql(ids, GRACE_DAY)
    assert (again.status_changes, again.reminders, again.reminders_skipped) == (0, 0, 1)
    assert [q for q in sql if q.lstrip().upper().startswith(WRITES)] == []
    assert len(mail.outbox) == outbox
    assert History.objects.filter(action="skip_email").count() == notes


def test_a_chunk_reads_its_inputs_in_the_same_queries_for_one_or_many(alice, alice_cpt, bob,
                                                                      bob_cpt, programs, sam):
    from tests.factories import log

    for professional in (alice, bob):
        for day in (date(2026, 1, 5), date(2027, 2, 6), date(2028, 3, 7)):
            log(professional, day, "2")
    do_create_certification(bob, programs[("ACE", "PT")], date(2025, 5, 1), actor=sam)
    _chunk_sql([alice.pk, bob.pk], GRACE_DAY)  # the changes and reminders, once
    _, one = _chunk_sql([alice.pk], GRACE_DAY)
    _, two = _chunk_sql([alice.pk, bob.pk], GRACE_DAY)
    assert len(one) == len(two)
