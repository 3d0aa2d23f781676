"""`recert manage badge_key [--id ID]`: a new Ed25519 key for signing Open Badges, as an item
of RECERT_BADGE_KEYS, and how to rotate to it. Prints only; changes nothing."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recert.lib.signing_keys import new_key_item, parse_signing_keys


class Command(BaseCommand):
    help = "Print a new badge-signing key (an item of RECERT_BADGE_KEYS)."

    def add_arguments(self, parser):
        parser.add_argument("--id", dest="key_id",
                            help="the key id (1-40 letters, digits, '.', '_' or '-'); "
                                 "default: key-<random>")

    def handle(self, *args, key_id=None, **options):
        try:
            item = new_key_item(key_id)
        except ValueError as error:
            raise CommandError(str(error)) from None
        key = parse_signing_keys(item)[0]
        self.stdout.write(item)
        older = [f"{k.key_id}:public:{k.x}" for k in settings.BADGE_KEYS]
        self.stderr.write(
            "Keep this secret. To rotate, put it first in RECERT_BADGE_KEYS and keep the "
            "current keys after it (their public parts are enough) so that the badges they "
            f"signed still verify, e.g.:\n  RECERT_BADGE_KEYS={','.join([item, *older])}\n"
            f"Public key (x): {key.x}")
