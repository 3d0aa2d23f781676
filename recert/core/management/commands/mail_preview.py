"""`recert manage mail_preview USERNAME`: every e-mail kind as that professional would get
it (subject, headers, text part; --html for the HTML part). Sends nothing."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from recert.core import mail
from recert.core.models import Professional


class Command(BaseCommand):
    help = "Render every e-mail kind for a professional (nothing is sent)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="the professional's user name")
        parser.add_argument("--kind", action="append", dest="kinds",
                            help="only this kind (repeatable); default: every kind")
        parser.add_argument("--as-of", help="the day to render for, YYYY-MM-DD (default: today)")
        parser.add_argument("--html", action="store_true", help="print the HTML part too")

    def handle(self, *args, username: str, kinds=None, as_of=None, html=False, **options):
        professional = (Professional.objects.select_related("user")
                        .filter(user__username=username).first())
        if professional is None:
            raise CommandError(f"No professional with the user name {username!r}.")
        try:
            today = date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise CommandError(f"--as-of {as_of!r} is not a date like 2028-12-01.") from None
        known = mail.preview_kinds()
        unknown = sorted(set(kinds or []) - set(known))
        if unknown:
            raise CommandError(f"Unknown kind {unknown[0]!r}; the kinds are {', '.join(known)}.")
        for kind in kinds or known:
            message = mail.render_message(kind, professional, today=today)
            self.stdout.write(f"===== {kind}")
            if message is None:
                self.stdout.write("(nothing to send this professional)\n")
                continue
            self.stdout.write(f"To: {message.to}\nSubject: {message.subject}")
            for name, value in message.headers.items():
                self.stdout.write(f"{name}: {value}")
            self.stdout.write("\n" + message.text)
            if html:
                self.stdout.write(message.html)
