"""The public events search at scale: N events (of 500 approved courses of 50 providers,
in 200 cities) and the search's queries as the view runs them, on PostgreSQL.

    DATABASE_URL=postgres://…/recert_bench_events python benchmarks/bench_events_search.py \
        [--events 50000]

Creates the rows in the database named by DATABASE_URL (migrated first) unless it already
holds them. Prints, per search, the median of 5 runs of the whole page's queries (count and
first page) and the plan's first line of the page query. Not a test.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recert.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402
from django.db import connection  # noqa: E402

WORDS = ["kettlebell", "pilates", "nutrition", "mobility", "barre", "cycling", "yoga",
         "strength", "youth", "seniors", "rehab", "coaching", "running", "balance", "core"]


def populate(n: int) -> None:
    from django.contrib.postgres.search import SearchVector

    from recert.core.actions.policies import sync_policies
    from recert.core.models import CertifyingBody, Course, Provider
    from recert.providers.models import Event

    sync_policies()
    rnd = random.Random(14)
    bodies = list(CertifyingBody.objects.order_by("code"))
    providers = Provider.objects.bulk_create(Provider(name=f"Bench provider {i}")
                                             for i in range(50))
    courses = Course.objects.bulk_create(
        Course(body=bodies[i % len(bodies)], provider=providers[i % 50],
               course_number=f"CA{10000 + i}" if bodies[i % len(bodies)].code == "ACE" else "",
               title=f"{rnd.choice(WORDS).title()} {rnd.choice(WORDS)} course {i}",
               description=" ".join(rnd.choice(WORDS) for _ in range(12)),
               credits=Decimal("0.8"), format=rnd.choice(["workshop", "online_course", "course"]),
               status=Course.APPROVED, approved_from=date(2024, 1, 1)) for i in range(500))
    start = datetime(2027, 1, 1, 14, tzinfo=UTC)
    events = []
    for i in range(n):
        course = courses[i % 500]
        when = start + timedelta(days=rnd.randrange(0, 730), hours=rnd.randrange(0, 6))
        city = i % 200
        in_person = i % 3 != 0
        events.append(Event(
            course=course, delivery="in_person" if in_person else "online",
            starts_at=when, ends_at=when + timedelta(hours=7), time_zone="UTC",
            starts_on=when.date(), ends_on=when.date(),
            city=f"Town{chr(97 + city % 26)}{chr(97 + city // 26)}" if in_person else "",
            postal_code=f"{10000 + city * 400:05d}" if in_person else "",
            search_text=" ".join([course.title, course.description])))
    Event.objects.bulk_create(events, batch_size=5000)
    Event.objects.update(search_vector=SearchVector("search_text", config="english"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE providers_event")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    call_command("migrate", verbosity=0)
    from recert.providers.models import Event
    from recert.providers.search import search_events

    if Event.objects.count() < args.events:
        print(f"Creating {args.events} events…")
        populate(args.events)
    today = date(2026, 12, 2)
    searches = {
        "no filter (upcoming)": {},
        "keyword 'kettlebell'": {"q": "kettlebell"},
        "keyword 'pilates rehab'": {"q": "pilates rehab"},
        "body ACSM": {"body": "ACSM"},
        "near 10400 (ZIP3)": {"near": "10400"},
        "near city": {"near": "townqa"},
        "online, March 2027": {"where": "online", "date_from": date(2027, 3, 1),
                               "date_to": date(2027, 3, 31)},
        "keyword + body + format + dates": {"q": "yoga", "body": "ACE", "format": "workshop",
                                            "date_from": date(2027, 6, 1),
                                            "date_to": date(2027, 12, 31)},
    }
    for name, data in searches.items():
        times = []
        for _ in range(5):
            began = time.perf_counter()
            page = Paginator(search_events(data, today), 20).get_page(1)
            list(page)
            count = page.paginator.count
            times.append((time.perf_counter() - began) * 1000)
        sql, params = search_events(data, today)[:20].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql, params)
            plan = " / ".join(r[0].strip() for r in cursor.fetchall()[:3])
        print(f"{name}: {count} found, median {statistics.median(times):.1f} ms; {plan[:160]}")


if __name__ == "__main__":
    main()
