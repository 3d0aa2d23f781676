"""Writes are safe to retry (Idempotency-Key on POST) and each token has a rate limit
(429 with Retry-After, counted in the shared cache) (issue 15)."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from recert.core.models import CreditEntry
from tests.api.conftest import ApiClient, token_client

CREDIT = {"earned_on": "2026-01-05", "format": "course", "amount": "1.5",
          "organization": "ACSM", "title": "Strength Summit"}
KEY = {"Idempotency-Key": "4f1c2a9e-retry-test"}


def test_the_same_key_and_body_return_the_first_response(alice_api, alice, alice_cpt):
    first = alice_api.post("/credits", CREDIT, headers=KEY)
    again = alice_api.post("/credits", CREDIT, headers=KEY)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert CreditEntry.objects.filter(professional=alice).count() == 1
    # Without a key, a repeat is a new entry (as on the page).
    alice_api.post("/credits", CREDIT)
    assert CreditEntry.objects.filter(professional=alice).count() == 2


def test_the_same_key_with_another_body_is_refused(alice_api, alice, alice_cpt):
    alice_api.post("/credits", CREDIT, headers=KEY)
    other = alice_api.post("/credits", {**CREDIT, "amount": "2"}, headers=KEY)
    assert other.status_code == 422
    assert other["Content-Type"] == "application/problem+json"
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert CreditEntry.objects.filter(professional=alice).count() == 1


def test_a_refused_request_frees_its_key(alice_api, alice, alice_cpt):
    assert alice_api.post("/credits", {**CREDIT, "amount": "x"}, headers=KEY).status_code == 422
    assert alice_api.post("/credits", CREDIT, headers=KEY).status_code == 201


def test_keys_belong_to_one_token_and_last_a_day(alice, alice_cpt):
    one, two = token_client(alice), token_client(alice)
    first = one.post("/credits", CREDIT, headers=KEY).json()
    assert two.post("/credits", CREDIT, headers=KEY).json()["id"] != first["id"]
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        later = one.post("/credits", CREDIT, headers=KEY)
    assert later.status_code == 201 and later.json()["id"] != first["id"]
    assert "Idempotent-Replayed" not in later


def test_a_bad_key_is_named(alice_api, alice_cpt):
    response = alice_api.post("/credits", CREDIT, headers={"Idempotency-Key": "x" * 300})
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_make_one_credit(alice, alice_cpt):
    """Several requests with one key at the same moment, each on its own connection: one
    creates the credit; the others get its response or 409 (still running), never a second
    credit."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every write, so requests on several "
                    "threads never race there (CI runs this in its PostgreSQL run)")
    client = token_client(alice)
    barrier = threading.Barrier(6)
    results: list = []

    def call():
        try:
            barrier.wait()
            response = ApiClient(client.raw).post("/credits", CREDIT, headers=KEY)
            results.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 6
    assert CreditEntry.objects.filter(professional=alice).count() == 1
    assert {status for status, _ in results} <= {201, 409}
    made = {body["id"] for status, body in results if status == 201}
    assert len(made) == 1
    assert client.post("/credits", CREDIT, headers=KEY).json()["id"] in made


# Inside one rate window (windows start on whole minutes): no boundary passes mid-test.
MID_WINDOW = "2026-12-01 12:00:10 +0000"


@time_machine.travel(MID_WINDOW, tick=False)
def test_over_the_limit_is_429_with_retry_after(alice, alice_cpt, settings):
    settings.API_RATE_LIMIT = 3
    client, other = token_client(alice), token_client(alice)
    assert [client.get("/me").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/me")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused["Retry-After"] == "50"  # the seconds left in the minute
    assert other.get("/me").status_code == 200  # per token


@time_machine.travel(MID_WINDOW, tick=False)
def test_the_count_is_kept_in_redis_across_processes(alice, alice_cpt, settings):
    """With Redis as the cache, a fresh cache connection (another server process) sees the
    same count."""
    from tests.processes import redis_url_or_skip

    url = redis_url_or_skip()
    settings.API_RATE_LIMIT = 3
    caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": url}}
    client = token_client(alice)
    with override_settings(CACHES=caches):
        assert [client.get("/me").status_code for _ in range(2)] == [200, 200]
    with override_settings(CACHES=caches):  # new connections, as in another process
        assert [client.get("/me").status_code for _ in range(2)] == [200, 429]
