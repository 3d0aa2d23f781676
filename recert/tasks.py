"""Background work: the task functions that workers run, through Django's tasks API.

Settings choose where they run (see TASK_BACKEND): in-process at enqueue time (the
immediate backend: demo, tests, no server), or on RQ workers over Redis (`recert worker`).
Each task takes ids and plain values (JSON), never model instances; it reads what it acts
on afresh, calls the same actions as the pages, and is safe to retry and to run twice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResult, TaskResultStatus, task
from django_tasks.base import Task
from django_tasks.exceptions import TaskResultDoesNotExist

from recert.core import mail
from recert.renewals.lifecycle import RunReport, professional_chunks, run_chunk

# Work a person waits for (imports, reports) and scheduled or bulk work (nightly chunks,
# bulk e-mail); `recert worker` takes "default" first. Both are in settings.TASK_QUEUES.
DEFAULT_QUEUE = "default"
BATCH_QUEUE = "batch"


@task(queue_name=BATCH_QUEUE)
def nightly_chunk(professional_ids: list[int], day: str) -> dict:
    """The nightly run for some professionals on `day` (YYYY-MM-DD), in one transaction:
    lifecycle.run_chunk. Returns its RunReport as a dict."""
    return run_chunk(professional_ids, date.fromisoformat(day)).as_dict()


@task(queue_name=DEFAULT_QUEUE)
def send_email(message: dict, attempt: int = 1, actor_id: int | None = None) -> str:
    """Sends one rendered message (recert.core.mail.Message as a dict) and records it in
    the professional's history once the mail server accepted it. Refused for now (4xx, no
    connection): enqueued again after EMAIL_RETRY_MINUTES, doubling, up to EMAIL_ATTEMPTS
    tries (on a backend that can defer; in-process the one try is the last)."""
    can_retry = send_email.get_backend().supports_defer and attempt < settings.EMAIL_ATTEMPTS
    outcome = mail.deliver_and_record(message, last_attempt=not can_retry, actor_id=actor_id)
    if outcome == mail.RETRY:
        delay = timedelta(minutes=settings.EMAIL_RETRY_MINUTES * 2 ** (attempt - 1))
        send_email.using(run_after=timezone.now() + delay).enqueue(message, attempt + 1,
                                                                   actor_id)
    return outcome


@task(queue_name=BATCH_QUEUE)
def open_audit_cases(audit_id: int, day: str, renewal_ids: list[int] | None = None) -> int:
    """A started audit's cases and notices (recert.audits.actions.open_cases); without
    `renewal_ids`, splits the selection into chunks of NIGHTLY_CHUNK_SIZE, one task each."""
    from recert.audits.actions import open_cases, selected_renewals
    from recert.audits.models import Audit

    if renewal_ids is None:
        ids = [pk for pk, _ in selected_renewals(Audit.objects.get(pk=audit_id))]
        size = settings.NIGHTLY_CHUNK_SIZE
        for i in range(0, len(ids), size):
            open_audit_cases.enqueue(audit_id, day, ids[i:i + size])
        if not ids:
            open_cases(audit_id, [], date.fromisoformat(day))
        return 0
    return open_cases(audit_id, renewal_ids, date.fromisoformat(day))


@task(queue_name=BATCH_QUEUE)
def audit_nightly_chunk(case_ids: list[int], day: str) -> dict:
    """The nightly deadlines and reminders of some audit cases (recert.audits.actions)."""
    from recert.audits.actions import run_cases

    return run_cases(case_ids, date.fromisoformat(day))


def enqueue_audit_nightly(day: date) -> list[TaskResult]:
    from recert.audits.actions import case_chunks

    return [audit_nightly_chunk.enqueue(ids, day.isoformat())
            for ids in case_chunks(settings.NIGHTLY_CHUNK_SIZE)]


@task(queue_name=DEFAULT_QUEUE)
def process_roster(roster_id: int) -> int:
    """Matches the rows of a large completion roster (providers' upload); returns the
    number of rows still held."""
    from recert.providers.actions import do_process_roster
    from recert.providers.models import RosterRow

    roster = do_process_roster(roster_id)
    return roster.rows.filter(state=RosterRow.HELD).count()


@task(queue_name=DEFAULT_QUEUE)
def commit_registry_import(import_id: int) -> dict:
    """Commits a large registry import in chunks, saving its progress after each
    (recert.staff.actions.run_import; safe to run twice). Returns {action: rows}."""
    from recert.staff.actions import run_import

    return run_import(import_id).result


def enqueue_on_commit(task_: Task, *args: Any, **kwargs: Any) -> None:
    """Enqueue once the current transaction commits, so that a worker never looks for rows
    that are not there yet (and nothing is enqueued for a rolled-back change)."""
    transaction.on_commit(partial(task_.enqueue, *args, **kwargs))


def runs_in_process(task_: Task) -> bool:
    """True when the task's backend runs it at enqueue time, in this process."""
    return not task_.get_backend().supports_get_result


def workers_listening(queue_name: str) -> int:
    """How many live RQ workers take tasks from `queue_name` (a worker that died drops out
    when its heartbeat expires)."""
    import django_rq
    from rq import Worker

    return Worker.count(queue=django_rq.get_queue(queue_name))


def wait_for(results: list[TaskResult], timeout: float, *, poll: float = 0.5
             ) -> list[TaskResult]:
    """Refreshes `results` until all have finished or `timeout` seconds have passed;
    returns those still unfinished. Workers take a queue in order, so it waits on the
    first unfinished one and reads each result about once."""
    deadline = time.monotonic() + timeout
    pending = [r for r in results if not r.is_finished]
    while pending:
        _refresh(pending[0])
        if pending[0].is_finished:
            pending.pop(0)
            continue
        if time.monotonic() >= deadline:
            break
        time.sleep(poll)
    for result in pending[1:]:
        _refresh(result)
    return [r for r in pending if not r.is_finished]


def _refresh(result: TaskResult) -> None:
    try:
        result.refresh()
    except TaskResultDoesNotExist:
        # Gone from the store (expired or deleted): it will never finish; count it failed.
        object.__setattr__(result, "status", TaskResultStatus.FAILED)


@dataclass
class NightlyRun:
    """The chunks of one nightly run and their task results, in chunk order."""

    day: date
    chunks: list[list[int]]
    results: list[TaskResult]
    report: RunReport = field(default_factory=RunReport)
    # Chunks that failed as a whole (rolled back): (ids, error class path).
    failed_chunks: list[tuple[list[int], str]] = field(default_factory=list)
    unfinished_chunks: list[list[int]] = field(default_factory=list)

    @property
    def professionals(self) -> int:
        return sum(len(ids) for ids in self.chunks)


def enqueue_nightly(day: date, *, chunk_size: int | None = None) -> NightlyRun:
    """Splits the professionals into chunks (NIGHTLY_CHUNK_SIZE) and enqueues one
    `nightly_chunk` task per chunk. With the immediate backend each runs here, now."""
    chunks = professional_chunks(chunk_size or settings.NIGHTLY_CHUNK_SIZE)
    results = [nightly_chunk.enqueue(ids, day.isoformat()) for ids in chunks]
    return NightlyRun(day, chunks, results)


def collect_nightly(run: NightlyRun, *, timeout: float) -> NightlyRun:
    """Waits up to `timeout` seconds for the chunks, then adds up what finished."""
    unfinished = {r.id for r in wait_for(run.results, timeout)}
    for ids, result in zip(run.chunks, run.results, strict=True):
        if result.id in unfinished:
            run.unfinished_chunks.append(ids)
        elif result.status == TaskResultStatus.SUCCESSFUL:
            run.report.add(RunReport.from_dict(result.return_value))
        else:
            error = result.errors[-1].exception_class_path if result.errors else "unknown"
            run.failed_chunks.append((ids, error))
    return run
