"""The queries that grow with the data, on a database already filled by `recert manage
synthetic` (issue 16): the admin's credit-entry list and its search, and the staff
console's professional search, each EXPLAIN ANALYZEd on PostgreSQL.

    DATABASE_URL=postgres://…/recert_100k python benchmarks/bench_scale.py [--prefix syn]

Writes nothing but a superuser `bench-admin` and the staff viewer of bench_staff_search.py.
Prints each query's time and the scans of its plan; BENCHMARKS.md records them. Not a test:
nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recert.settings")

import django  # noqa: E402

django.setup()

from bench_staff_search import run, staff_user  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql)
        plan = [r[0] for r in cursor.fetchall()]
    scans = sorted({line.strip().split(" on ")[0].lstrip("-> ").strip() + " on "
                    + line.split(" on ")[1].split()[0]
                    for line in plan if " on " in line and "Scan" in line})
    return f"{plan[-1].strip()}; {', '.join(scans)}"


def admin_list(label: str, params: dict) -> None:
    from django.contrib import admin

    from recert.accounts.models import User
    from recert.core.models import CreditEntry

    user, _ = User.objects.get_or_create(username="bench-admin",
                                         defaults={"is_staff": True, "is_superuser": True,
                                                   "email": "bench-admin@example.test"})
    request = RequestFactory().get("/admin/core/creditentry/", params)
    request.user = user
    model_admin = admin.site._registry[CreditEntry]
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = model_admin.changelist_view(request)
        response.render()
        elapsed = time.perf_counter() - started
    print(f"\nadmin credit entries, {label}: {elapsed * 1000:.0f} ms for "
          f"{len(queries)} queries, {len(response.content) // 1024} KB")
    for q in queries.captured_queries:
        if q["sql"].lstrip().upper().startswith("SELECT") and float(q["time"]) > 0.005:
            print(f"  {float(q['time']) * 1000:.0f} ms: {q['sql'][:110]}…")
            print(f"    {explain(q['sql'])}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prefix", default="syn", help="the synthetic run's prefix")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Point DATABASE_URL at a PostgreSQL database: the indexes are PostgreSQL's.")
    from recert.core.models import CreditEntry, MemberId, Professional, Program

    p = args.prefix
    print(f"{Professional.objects.count():,} professionals, "
          f"{CreditEntry.all_objects.count():,} credit entries")
    admin_list("first page", {})
    rare = CreditEntry.all_objects.exclude(course_number="").order_by("pk").values_list(
        "course_number", flat=True)[1000]
    admin_list(f"search, a course number ({rare})", {"q": rare})
    admin_list(f"search, a user name ({p}012345)", {"q": f"{p}012345"})
    admin_list("search, common word (kettlebell)", {"q": "kettlebell"})
    admin_list("filter, format workshop", {"format__exact": "workshop"})

    user = staff_user()
    member = MemberId.objects.filter(member_id__startswith=f"{p.upper()}-").order_by(
        "pk").values_list("member_id", flat=True)[777]
    run("staff search, name, one word", user, {"q": "okafor"})
    run("staff search, name, two words", user, {"q": "riley okafor"})
    run("staff search, e-mail", user, {"q": f"{p}012345@example.test"})
    run("staff search, member ID", user, {"q": member})
    run("staff search, status grace", user, {"status": "grace"})
    cpt = Program.objects.get(body__code="ACSM", code="CPT")
    run("staff search, program and cycle end", user,
        {"program": cpt, "cycle_end_from": date(2026, 12, 1),
         "cycle_end_to": date(2026, 12, 31)})
    first = Professional.objects.order_by("full_name", "pk").values_list("pk", flat=True)[
        50_000]
    run("staff search, status, deep page (keyset)", user, {"status": "active"}, after=first)


if __name__ == "__main__":
    main()
