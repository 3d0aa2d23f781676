"""Staff search at scale: N professionals (half ACSM, half ACE) and the console's search
queries, each EXPLAIN ANALYZEd on PostgreSQL.

    DATABASE_URL=postgres://…/recert_bench python benchmarks/bench_staff_search.py \
        [--people 100000]

Creates the rows in the database named by DATABASE_URL (migrated first), unless it
already holds them (they stay for the next run). Prints each query's plan
summary and time; BENCHMARKS.md records them. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recert.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

GIVEN = ["Alice", "Bruno", "Chen", "Dana", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jamal",
         "Kira", "Liam", "Maya", "Noor", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq"]
FAMILY = ["Archer", "Baptiste", "Castillo", "Dubois", "Eriksen", "Fischer", "Garcia",
          "Haddad", "Ivanova", "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura",
          "Okafor", "Petrov", "Quintero", "Rossi", "Silva", "Tanaka", "Umar", "Vargas",
          "Weber", "Xu", "Yilmaz", "Zhang"]


def populate(n: int) -> None:
    from recert.accounts.models import User
    from recert.core.actions.policies import sync_policies
    from recert.core.models import Certification, Cycle, MemberId, Professional, Program

    sync_policies()
    rnd = random.Random(12)
    programs = {(p.body.code, p.code): p for p in Program.objects.select_related("body")}
    chunk = 5000
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        users = User.objects.bulk_create(
            User(username=f"bench{i}", email=f"bench{i}@example.com", password="!")
            for i in range(start, stop))
        people = Professional.objects.bulk_create(
            Professional(user=u, email=u.email,
                         full_name=f"{rnd.choice(GIVEN)} {rnd.choice(FAMILY)}-{i}")
            for i, u in zip(range(start, stop), users, strict=True))
        certs = Certification.objects.bulk_create(
            Certification(professional=p, certified_on=date(2020, 1, 1)
                          + timedelta(days=rnd.randrange(2000)),
                          program=programs[("ACSM", "CPT") if i % 2 else ("ACE", "PT")],
                          status=rnd.choice(["active", "active", "active", "grace",
                                             "invalid"]))
            for i, p in zip(range(start, stop), people, strict=True))
        Cycle.objects.bulk_create(
            Cycle(certification=c, number=1, start=c.certified_on,
                  end=date(c.certified_on.year + 3, 12, 31)) for c in certs)
        MemberId.objects.bulk_create(
            MemberId(professional=p, body=c.program.body, member_id=f"M{i:07d}")
            for i, p, c in zip(range(start, stop), people, certs, strict=True))
        print(f"  {stop} professionals", flush=True)


def staff_user():
    from recert.accounts.models import User
    from recert.core.actions.staff import do_grant_staff_role
    from recert.core.models import CertifyingBody

    user, _ = User.objects.get_or_create(username="bench-staff")
    do_grant_staff_role(user, CertifyingBody.objects.get(code="ACSM"), "viewer", actor=None)
    return user


def run(label: str, user, data: dict, after=None) -> None:
    from recert.core.access import staff_bodies
    from recert.staff.views.search import COUNT_LIMIT, keyset_page, search_professionals

    bodies = staff_bodies(user)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        people, _ = search_professionals(user, data, bodies)
        rows, _, _ = keyset_page(people, after=after, before=None)
        found = people.order_by()[:COUNT_LIMIT + 1].count()
        elapsed = time.perf_counter() - started
    more = "+" if found > COUNT_LIMIT else ""
    print(f"\n{label}: {len(rows)} rows, {min(found, COUNT_LIMIT)}{more} found, "
          f"{elapsed * 1000:.0f} ms for {len(queries)} queries")
    with connection.cursor() as cursor:
        for q in queries.captured_queries:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + q["sql"])
            plan = [r[0] for r in cursor.fetchall()]
            scans = sorted({line.strip().split(" on ")[0].lstrip("-> ").strip() + " on "
                            + line.split(" on ")[1].split()[0]
                            for line in plan if " on " in line and "Scan" in line})
            total = plan[-1].strip()
            print(f"  {total}; {', '.join(scans)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Point DATABASE_URL at a PostgreSQL database: the indexes are PostgreSQL's.")
    call_command("migrate", verbosity=0)
    from recert.core.models import Professional

    have = Professional.objects.filter(user__username__startswith="bench").count()
    if have < args.people:
        print(f"creating {args.people - have} professionals")
        populate_from = have
        if populate_from:
            sys.exit("The database holds part of a run; drop it and start again.")
        populate(args.people)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    user = staff_user()
    from recert.core.models import Program

    cpt = Program.objects.get(body__code="ACSM", code="CPT")
    run("name, one word", user, {"q": "nakamura"})
    run("name, two words", user, {"q": "priya nakamura"})
    run("name fragment", user, {"q": "okaf"})
    run("e-mail", user, {"q": "bench777@example.com"})
    run("member ID", user, {"q": "m0000777"})
    run("status", user, {"status": "grace"})
    run("program and cycle end", user, {"program": cpt, "cycle_end_from": date(2025, 12, 1),
                                        "cycle_end_to": date(2025, 12, 31)})
    first = Professional.objects.order_by("full_name", "pk").values_list("pk", flat=True)[
        50_000]
    run("status, deep page (keyset)", user, {"status": "active"}, after=first)


if __name__ == "__main__":
    main()
