"""`recert manage nightly`: statuses and reminders, as the engine sees today."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from recert.renewals.lifecycle import run_nightly


class Command(BaseCommand):
    help = ("Move certifications into grace and invalid as the policies say and send the due "
            "renewal reminders, each once. Safe to run twice and after days of not running.")

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="run as if today were YYYY-MM-DD (default: today)")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options.get("as_of"):
            try:
                today = date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError("--as-of: not a date (expected YYYY-MM-DD)") from None
        report = run_nightly(today)
        self.stdout.write(f"{today.isoformat()}: {report.professionals} professionals, "
                          f"{report.status_changes} status changes, "
                          f"{report.reminders} reminders sent, "
                          f"{report.invoices_voided} invoices voided, "
                          f"{report.invoices_repriced} re-priced")
        if report.failed:
            ids = ", ".join(str(pk) for pk in report.failed)
            raise CommandError(f"{len(report.failed)} professional(s) failed (ids {ids}); "
                               "the others were processed. See the log for each error.")
