"""Engine benchmark: one busy professional, and a nightly-sized batch.

    python benchmarks/bench_engine.py [--batch 10000]

Prints wall-clock figures; BENCHMARKS.md records them. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from recert.rules import CertificationIn, CreditIn, evaluate, load_policies  # noqa: E402
from recert.rules.model import FORMATS  # noqa: E402

AS_OF = date(2026, 6, 1)
UNITS_FOR = {
    "college_course": "semester_hour",
    "publication": "item",
    "self_test": "item",
    "new_certification": "item",
    "cpr": "item",
    "aed": "item",
    "first_aid": "item",
}


def make_professional(rnd: random.Random, n_credits: int) -> tuple[list, list]:
    certs = [
        CertificationIn(
            "cpt", "ACSM", "CPT", date(2023, 5, 10), cpr_aed_valid_until=date(2027, 1, 1)
        ),
        CertificationIn("ep", "ACSM", "EP", date(2024, 2, 1), cpr_aed_valid_until=date(2027, 1, 1)),
        CertificationIn("pt", "ACE", "PT", date(2024, 9, 15)),
    ]
    credits = []
    for i in range(n_credits):
        fmt = rnd.choice(FORMATS)
        credits.append(
            CreditIn(
                id=f"c{i}",
                earned_on=date(2023, 6, 1) + timedelta(days=rnd.randrange(1100)),
                format=fmt,
                amount=Decimal(rnd.randrange(1, 80)) / 10,
                unit=UNITS_FOR.get(fmt, rnd.choice(["hour", "cec", "ceu"])),
                awarded_by=rnd.choice(["ACSM", "ACE", "NASM", "NSCA", "AFAA", "OTHER"]),
                title=f"Course {rnd.randrange(60)}",
                provider=rnd.choice(["NASM", "ACSM", None]),
                course_number=rnd.choice([None, f"CA{rnd.randrange(10000, 99999)}", "EP"]),
                grade=rnd.choice(["A", "B", "C", "D"]),
                published_on=date(2025, 1, 1),
                petition=rnd.choice([None, "approved"]),
            )
        )
    return certs, credits


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    policies = load_policies()
    rnd = random.Random(2026)

    certs, credits = make_professional(rnd, 150)
    evaluate(policies, certs, credits, AS_OF)  # warm the policy cache
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        evaluate(policies, certs, credits, AS_OF)
        times.append(time.perf_counter() - start)
    median = statistics.median(times) * 1000
    p95 = sorted(times)[int(len(times) * 0.95)] * 1000
    print(
        f"one professional, 3 certifications, 150 credits: median {median:.2f} ms,"
        f" p95 {p95:.2f} ms over {args.repeat} runs"
    )

    people = [make_professional(rnd, rnd.randrange(5, 40)) for _ in range(args.batch)]
    total_credits = sum(len(c) for _, c in people)
    start = time.perf_counter()
    for certs, credits in people:
        evaluate(policies, certs, credits, AS_OF)
    elapsed = time.perf_counter() - start
    print(
        f"batch of {args.batch} professionals ({total_credits} credits, 3 certifications each):"
        f" {elapsed:.1f} s, {args.batch / elapsed:.0f} professionals/s"
    )


if __name__ == "__main__":
    main()
