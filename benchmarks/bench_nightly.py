"""The nightly job against a raw fetch of the same credit rows (issue 16).

    DATABASE_URL=postgres://…/recert_scale python benchmarks/bench_nightly.py [--professionals 1000]
        [--as-of 2026-12-02] [--chunk 200] [--no-lean] [--workers 2]

Takes the first N professionals with a live certification and times, in one run:
a raw fetch of all their credit rows (one SELECT, tuples into Python); the engine's input
read the lean way (`credit_inputs`, per professional) and evaluated; and the nightly job's
own work (`run_chunk`, per chunk of --chunk), then the same again (nothing left to change:
a second run the same night), inside a transaction that is rolled back, so that the data
(statuses, reminders, history) is the same for the next run; with --workers N, the first run
again on N processes sharing the chunks, as N task workers would. E-mail goes to
Django's in-memory backend. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recert.settings")
os.environ.setdefault("DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from recert.core.evaluation import (  # noqa: E402
    certification_input,
    certifications_of,
    claimed_by_late_renewals,
    credit_inputs,
)
from recert.core.models import Professional  # noqa: E402
from recert.core.policies import current_policies  # noqa: E402
from recert.renewals.lifecycle import run_chunk  # noqa: E402
from recert.rules import evaluate  # noqa: E402


class Rollback(Exception):
    pass


def _worker(job) -> None:
    from django.db import connections

    connections.close_all()  # the parent's connection is not to be shared after fork
    share, today = job
    try:
        with transaction.atomic():
            for chunk in share:
                run_chunk(chunk, today)
            raise Rollback
    except Rollback:
        pass


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--professionals", type=int, default=1000)
    parser.add_argument("--as-of", default="2026-12-02")
    parser.add_argument("--chunk", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1,
                        help="also run the chunks on this many processes at once")
    parser.add_argument("--no-lean", action="store_true",
                        help="leave out the per-professional evaluation (the slow reference)")
    args = parser.parse_args()
    today = date.fromisoformat(args.as_of)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ids = list(Professional.objects.filter(certifications__deleted_at__isnull=True)
               .distinct().order_by("pk").values_list("pk", flat=True)[:args.professionals])

    raws = []

    def raw_fetch():
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM core_creditentry WHERE professional_id = ANY(%s)",
                           [ids])
            rows = cursor.fetchall()
        raws.append(time.perf_counter() - started)
        return rows

    # The raw fetch is taken before, between and after the other figures and its median
    # used: on a shared machine one fetch alone swings with the load of the moment.
    rows = raw_fetch()
    lean = None
    if not args.no_lean:
        started = time.perf_counter()
        policies = current_policies()
        for professional in Professional.objects.filter(pk__in=ids):
            certifications = certifications_of(professional)
            claimed = claimed_by_late_renewals(professional)
            evaluate(policies,
                     [certification_input(c, claimed.get(c.pk, ())) for c in certifications],
                     credit_inputs(professional), today)
        lean = time.perf_counter() - started
        raw_fetch()

    def run_all():
        report = None
        for i in range(0, len(ids), args.chunk):
            part = run_chunk(ids[i:i + args.chunk], today)
            report = part if report is None else (report.add(part) or report)
        return report

    try:
        with transaction.atomic():
            started = time.perf_counter()
            report = run_all()
            nightly = time.perf_counter() - started
            # The same night again: nothing left to change or send.
            raw_fetch()
            started = time.perf_counter()
            second = run_all()
            again = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    raw_fetch()
    parallel = None
    if args.workers > 1:
        # As `recert nightly` with N workers: the chunks shared out, each process in its own
        # connection and (rolled back) transaction; the wall time of all of them.
        from multiprocessing import get_context

        chunks = [ids[i:i + args.chunk] for i in range(0, len(ids), args.chunk)]
        shares = [chunks[w::args.workers] for w in range(args.workers)]
        connection.close()
        started = time.perf_counter()
        with get_context("fork").Pool(args.workers) as pool:
            pool.map(_worker, [(share, today) for share in shares])
        parallel = time.perf_counter() - started
        raw_fetch()
    raw = statistics.median(raws)
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load "
          f"{os.getloadavg()[0]:.1f}; {len(ids):,} professionals, {len(rows):,} credit rows")
    print("| what | seconds | × raw fetch |")
    print("|---|---|---|")
    print(f"| raw fetch of their credit rows (median of {len(raws)}: "
          f"{', '.join(f'{r:.2f}' for r in raws)}) | {raw:.2f} | 1 |")
    if lean is not None:
        print(f"| evaluate each (lean input + engine) | {lean:.2f} | {lean / raw:.1f} |")
    print(f"| nightly run_chunk (rolled back) | {nightly:.2f} | {nightly / raw:.1f} |")
    print(f"| the same again, nothing to change | {again:.2f} | {again / raw:.1f} |")
    if parallel is not None:
        print(f"| nightly run_chunk on {args.workers} worker processes (rolled back) | "
              f"{parallel:.2f} | {parallel / raw:.1f} |")
    if report:
        print(f"\nfirst: {report.as_dict()}\nagain: {second.as_dict()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
