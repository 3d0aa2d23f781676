"""`recert manage nightly`: statuses and reminders, as the engine sees today.

The professionals are split into chunks, one task each (recert/tasks.py). With the
immediate backend the chunks run here; with RQ the workers run them in parallel and this
command waits for their results (up to NIGHTLY_WAIT_SECONDS), so that its counts and its
exit status cover the whole run. `--no-wait` only enqueues.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from recert import tasks


def _ids(chunks: list[list[int]]) -> str:
    return ", ".join(f"{ids[0]}–{ids[-1]}" if len(ids) > 1 else str(ids[0]) for ids in chunks)


class Command(BaseCommand):
    help = ("Move certifications into grace and invalid as the policies say and send the due "
            "renewal reminders, each once. Safe to run twice and after days of not running.")

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="run as if today were YYYY-MM-DD (default: today)")
        parser.add_argument("--no-wait", action="store_true",
                            help="with task workers: enqueue the chunks and exit without "
                                 "waiting for them (their results are in the worker log)")
        parser.add_argument("--wait", type=int, metavar="SECONDS",
                            help="how long to wait for the workers "
                                 "(default: NIGHTLY_WAIT_SECONDS)")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options.get("as_of"):
            try:
                today = date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError("--as-of: not a date (expected YYYY-MM-DD)") from None
        wait = options.get("wait")
        if wait is not None and wait < 1:
            raise CommandError("--wait: give a number of seconds, 1 or more")
        in_process = tasks.runs_in_process(tasks.nightly_chunk)
        if not in_process and not self._workers():
            # Enqueuing for nobody would only time out: say what to start instead.
            raise CommandError(
                f"No task worker listens on the {tasks.BATCH_QUEUE!r} queue: start one with "
                "`recert worker` (same REDIS_URL and DATABASE_URL), or set "
                "TASK_BACKEND=immediate to run the job in this process. Nothing was enqueued.")
        run = tasks.enqueue_nightly(today)
        # The yearly audits' deadlines and reminders (recert.audits), in chunks of cases.
        audit_results = tasks.enqueue_audit_nightly(today)
        if options["no_wait"] and not in_process:
            self.stdout.write(f"{today.isoformat()}: {len(run.chunks)} chunks enqueued "
                              f"({run.professionals} professionals) on the "
                              f"{tasks.BATCH_QUEUE!r} queue; not waiting for the workers")
            return
        tasks.collect_nightly(run, timeout=wait or settings.NIGHTLY_WAIT_SECONDS)
        report = run.report
        self.stdout.write(f"{today.isoformat()}: {report.professionals} professionals, "
                          f"{report.status_changes} status changes, "
                          f"{report.reminders} reminders sent, "
                          f"{report.invoices_voided} invoices voided, "
                          f"{report.invoices_repriced} re-priced")
        tasks.wait_for(audit_results, wait or settings.NIGHTLY_WAIT_SECONDS)
        done = [r.return_value for r in audit_results
                if r.status == tasks.TaskResultStatus.SUCCESSFUL]
        self.stdout.write(f"{today.isoformat()}: audits: "
                          f"{sum(d['changes'] for d in done)} case deadlines passed, "
                          f"{sum(d['reminders'] for d in done)} audit reminders sent")
        problems = []
        if report.failed:
            ids = ", ".join(str(pk) for pk in report.failed)
            problems.append(f"{len(report.failed)} professional(s) failed (ids {ids}); "
                            "the others were processed. See the log for each error.")
        if run.failed_chunks:
            errors = sorted({error for _, error in run.failed_chunks})
            problems.append(
                f"{len(run.failed_chunks)} chunk(s) failed as a whole and were rolled back "
                f"(professional ids {_ids([ids for ids, _ in run.failed_chunks])}; "
                f"{', '.join(errors)}); running `recert nightly` again retries them safely.")
        if run.unfinished_chunks:
            problems.append(
                f"{len(run.unfinished_chunks)} chunk(s) not finished after "
                f"{wait or settings.NIGHTLY_WAIT_SECONDS} s (professional ids "
                f"{_ids(run.unfinished_chunks)}): still queued or running on the workers, "
                "which will finish them; they are not in the counts above.")
        if problems:
            raise CommandError(" ".join(problems))

    def _workers(self) -> int:
        from redis.exceptions import RedisError

        try:
            return tasks.workers_listening(tasks.BATCH_QUEUE)
        except RedisError as error:
            raise CommandError(f"Cannot reach the task queue on REDIS_URL ({error}); start "
                               "Redis or set TASK_BACKEND=immediate. Nothing was enqueued."
                               ) from None
