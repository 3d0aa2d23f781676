"""A small bounded load test on loopback (issue 11, "A standing security suite"): 50 writers at
once against a real `recert serve` (gunicorn, DEBUG off, on the test PostgreSQL database and
a real Redis), each saving credits through the API, and each credit sent twice with the same
Idempotency-Key (a client that lost the first answer). Every credit must be stored exactly
once, and the repeat must answer with the same entry.

Ten professionals with five writers each, so writers also meet on the same person's rows.
Bounded: 50 writers x 4 credits x 2 sends = 400 requests to 127.0.0.1 only, no timing
assertions (a slow machine only makes it slower). Marker `processes` (PostgreSQL and Redis;
skipped on SQLite, see tests/processes.py).
"""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.processes import environment, recert, redis_url_or_skip, require_postgresql, wait_until

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]

PEOPLE, WRITERS_EACH, CREDITS_EACH = 10, 5, 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _post(url: str, body: dict, token: str, key: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json",
                                              "Idempotency-Key": key})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {"error": error.read().decode(errors="replace")[:300]}


def test_fifty_concurrent_writers_lose_and_double_nothing(tmp_path, password):
    require_postgresql()
    redis_url = redis_url_or_skip()
    from recert.api.actions import do_create_access_token
    from recert.core.actions.professionals import do_create_professional
    from recert.core.models import CreditEntry

    writers = []  # (professional, token, writer number)
    for p in range(PEOPLE):
        professional = do_create_professional(
            username=f"load{p}", email=f"load{p}@example.com", full_name=f"Load Tester {p}",
            password=password, actor=None)
        for w in range(WRITERS_EACH):
            _, raw = do_create_access_token(professional.user, name=f"writer {w}",
                                            scope="write", expires_at=None, actor=None)
            writers.append((professional, raw, w))
    assert len(writers) == 50

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    environ = environment(redis_url, tmp_path / "data")
    environ.update({"ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0",
                    "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0",
                    "API_RATE_LIMIT": "1000"})
    start = threading.Barrier(len(writers))

    def write(professional, token, w) -> list[tuple[str, int, dict, int, dict]]:
        start.wait(timeout=120)
        done = []
        for c in range(CREDITS_EACH):
            title = f"{professional.user.username} writer {w} credit {c}"
            body = {"earned_on": f"2026-0{1 + c}-1{w}", "format": "course",
                    "amount": f"{1 + c}.5", "organization": "ACSM", "title": title}
            key = f"{professional.pk}-{w}-{c}"
            first = _post(f"{base}/api/v1/credits", body, token, key)
            again = _post(f"{base}/api/v1/credits", body, token, key)
            done.append((title, *first, *again))
        return done

    with recert(["serve", "--no-migrate", "--workers", "4", "--bind", f"127.0.0.1:{port}"],
                environ, log) as process:
        wait_until(lambda: process.poll() is not None or _answers(f"{base}/accounts/login/"),
                   seconds=120, what=f"recert serve at {base} did not answer", log=log)
        assert process.poll() is None, log.read_text()
        with ThreadPoolExecutor(max_workers=len(writers)) as pool:
            results = [r for batch in pool.map(lambda a: write(*a), writers) for r in batch]

    problems = []
    for title, status, body, again_status, again_body in results:
        if status != 201:
            problems.append(f"{title}: {status} {body}")
        elif again_status not in (200, 201) or again_body.get("id") != body.get("id"):
            problems.append(f"{title}: the repeat answered {again_status} {again_body}")
    assert problems == []
    assert len(results) == PEOPLE * WRITERS_EACH * CREDITS_EACH
    stored = list(CreditEntry.objects.filter(professional__user__username__startswith="load")
                  .values_list("title", flat=True))
    assert sorted(stored) == sorted(title for title, *_ in results)  # each exactly once
