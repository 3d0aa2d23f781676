"""Profile the professional's pages in-process (Django's test client, DEBUG off).

    DATABASE_URL=postgres://… python benchmarks/profile_pages.py USERNAME [--path /credits/]
        [--n 50] [--profile]

Times N requests of each page for one (synthetic) professional and, with --profile, prints
cProfile's top functions. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recert.settings")
os.environ.setdefault("DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402

PAGES = ["/", "/credits/", "/credits/?tab=all", "/certifications/", "/credits/report/"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("username")
    parser.add_argument("--path", action="append")
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    client = Client(SERVER_NAME="localhost")
    client.force_login(get_user_model().objects.get(username=args.username))
    for path in args.path or PAGES:
        response = client.get(path, secure=True)
        queries: list[str] = []

        def count(run, sql, *rest, queries=queries):
            queries.append(sql)
            return run(sql, *rest)

        with connection.execute_wrapper(count):
            client.get(path, secure=True)
        profiler = cProfile.Profile() if args.profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        for _ in range(args.n):
            client.get(path, secure=True)
        if profiler:
            profiler.disable()
        per = (time.perf_counter() - started) / args.n * 1000
        print(f"{path:24} {response.status_code} {len(response.content) / 1024:7.0f} KB "
              f"{len(queries):3} queries {per:7.1f} ms")
        reset_queries()
        if profiler:
            # SORT=tottime, TOP=40: other orders and lengths of the listing.
            pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(
                int(os.environ.get("TOP", "25")))


if __name__ == "__main__":
    main()
