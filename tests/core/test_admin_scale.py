"""The admin's credit-entry list at scale (issue 16): the search finds entries by their own
columns and by their professional without a LIKE across a join, the count is capped, and
the list costs the same queries at any size."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.urls import reverse

from recert.core.admin import CappedCountPaginator
from recert.core.models import CreditEntry


def _entries(professional, n, **fields):
    CreditEntry.objects.bulk_create(
        CreditEntry(professional=professional, earned_on=date(2026, 1, 1) + timedelta(days=i),
                    title=fields.get("title", f"Course {i}"), format="course",
                    amount=Decimal("1"), unit="hour", provider=fields.get("provider", "Gym"),
                    course_number=fields.get("course_number", ""))
        for i in range(n))


def test_search_by_entry_and_by_person(client, sam, alice, bob):
    _entries(alice, 2, title="Kettlebell basics")
    _entries(bob, 1, title="Yoga", provider="Zen Studio", course_number="CEP777")
    client.force_login(sam)
    url = reverse("admin:core_creditentry_changelist")

    def found(term):
        return {e.pk for e in client.get(url, {"q": term}).context["cl"].result_list}

    alice_ids = set(CreditEntry.objects.filter(professional=alice).values_list("pk", flat=True))
    bob_ids = set(CreditEntry.objects.filter(professional=bob).values_list("pk", flat=True))
    assert found("kettle") == alice_ids
    assert found("zen stu") == bob_ids
    assert found("cep777") == bob_ids
    assert found(alice.full_name.split()[0].lower()) == alice_ids  # the person's name
    assert found(bob.user.username) == bob_ids  # the user name
    assert found("nothing like it") == set()


def test_count_is_capped_and_queries_do_not_grow(client, sam, alice, monkeypatch,
                                                  django_assert_num_queries):
    monkeypatch.setattr(CappedCountPaginator, "CAP", 5)
    _entries(alice, 12)
    client.force_login(sam)
    url = reverse("admin:core_creditentry_changelist")
    response = client.get(url)
    cl = response.context["cl"]
    assert cl.result_count == 6  # CAP + 1: "more than 5"; no full count either
    assert cl.full_result_count is None
    # Newest first.
    dates = [e.earned_on for e in cl.result_list]
    assert dates == sorted(dates, reverse=True)
    _entries(alice, 30)
    with django_assert_num_queries(len(response.context["cl"].result_list) and _queries(
            client, url)):
        client.get(url)


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)
