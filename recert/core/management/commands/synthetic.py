"""`recert manage synthetic --professionals N`: synthetic professionals, certifications,
credits, renewals, invoices and history at any size, for benchmarks (recert/demo/synthetic.py).
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("Write N synthetic professionals with certifications of both bodies at every "
            "stage, credits of every format, renewals, invoices, petitions, providers with "
            "rosters, this year's audits and history (deterministic by --seed; COPY by "
            "several workers on PostgreSQL).")

    def add_arguments(self, parser):
        parser.add_argument("--professionals", type=int, required=True, metavar="N",
                            help="how many professionals to add")
        parser.add_argument("--credits-per", type=int, default=50, metavar="K",
                            help="credit entries per professional (default 50)")
        parser.add_argument("--seed", type=int, default=1,
                            help="the same seed gives the same data (default 1)")
        parser.add_argument("--prefix", default="syn",
                            help="user names are PREFIX000000, PREFIX000001, … (default syn)")
        parser.add_argument("--as-of", metavar="YYYY-MM-DD",
                            help="the day the data is built around (default: today)")
        parser.add_argument("--batch", type=int, default=1000,
                            help="professionals per transaction (default 1000)")
        parser.add_argument("--workers", type=int, metavar="W",
                            help="processes writing batches at once on PostgreSQL (default: "
                                 "one per core, up to 4; elsewhere 1)")

    def handle(self, *args, professionals, credits_per, seed, prefix, as_of, batch,
               workers, **options):
        from recert.demo.synthetic import SyntheticError, generate

        try:
            day = date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise CommandError(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from None

        def progress(summary):
            if options["verbosity"] >= 2:
                self.stdout.write(f"  {summary.professionals:,} professionals, "
                                  f"{summary.seconds:.1f} s")

        try:
            summary = generate(professionals, credits_per=credits_per, seed=seed,
                               prefix=prefix, as_of=day, batch=batch, workers=workers,
                               progress=progress)
        except SyntheticError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(f"Wrote {summary}")
