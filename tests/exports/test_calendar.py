"""The private calendar feed: its deadlines, read back with icalendar, and who may read it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from recert.core.actions.credits import do_create_credit_entry
from recert.core.evaluation import standing_of
from recert.exports.actions import do_issue_calendar_feed
from recert.exports.deadlines import deadlines_of
from recert.exports.models import CalendarFeed
from recert.rules import load_policies
from recert.rules.cycles import add_months

TODAY = date(2026, 6, 1)


@pytest.fixture
def self_test(alice, alice_cpt):
    return do_create_credit_entry(alice, actor=alice.user, earned_on=date(2026, 2, 1),
                                  title="Certified News, Fall 2025", format="self_test",
                                  amount=Decimal("1"), unit="item", awarded_by="ACSM",
                                  published_on=date(2025, 10, 15))


def events_of(content: bytes) -> dict[str, dict]:
    calendar = Calendar.from_ical(content)
    return {
        str(e["summary"]): {"uid": str(e["uid"]), "start": e.decoded("dtstart"),
                            "end": e.decoded("dtend")}
        for e in calendar.walk("VEVENT")
    }


@time_machine.travel(TODAY)
def test_feed_has_every_deadline(client, alice, alice_cpt, self_test):
    feed = do_issue_calendar_feed(alice, actor=alice.user)
    response = client.get(reverse("exports:calendar_feed", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert "Alice Archer" in str(calendar["x-wr-calname"])
    events = events_of(response.content)
    name = "ACSM Certified Personal Trainer"
    assert events[f"{name}: cycle ends"]["start"] == date(2028, 12, 31)
    assert events[f"{name}: renewal window opens"]["start"] == date(2028, 1, 1)
    assert events[f"{name}: grace period ends"]["start"] == date(2029, 6, 30)
    assert events["CPR/AED certification expires"]["start"] == date(2027, 6, 30)
    # The ACSM policy's expiry for self-test issues, not a number of our own.
    months = load_policies().bodies["ACSM"].format_rule(
        "self_test", date(2025, 10, 15)).expires_after_months
    expiry = events["Self-test expires: Certified News, Fall 2025"]["start"]
    assert expiry == add_months(date(2025, 10, 15), int(months)) == date(2026, 10, 15)
    for event in events.values():  # all-day events, one day long
        assert type(event["start"]) is date
        assert event["end"] == event["start"] + timedelta(days=1)
    assert len(events) == 5


@time_machine.travel(TODAY)
def test_uids_are_stable_across_fetches_and_regeneration(client, alice, alice_cpt, self_test):
    first = do_issue_calendar_feed(alice, actor=alice.user)
    before = events_of(client.get(reverse("exports:calendar_feed", args=[first.token])).content)
    second = do_issue_calendar_feed(alice, actor=alice.user)
    after = events_of(client.get(reverse("exports:calendar_feed", args=[second.token])).content)
    assert {k: v["uid"] for k, v in before.items()} == {k: v["uid"] for k, v in after.items()}
    assert len({v["uid"] for v in after.values()}) == len(after)


@time_machine.travel(TODAY)
def test_no_grace_event_when_grace_ends_with_the_cycle(alice, alice_cpt):
    deadlines = deadlines_of(standing_of(alice, TODAY))
    result = standing_of(alice, TODAY).evaluation.certification(str(alice_cpt.pk))
    kinds = {d.kind for d in deadlines}
    assert ("grace_ends" in kinds) == (result.renewal.grace_ends > result.cycle.end)


@time_machine.travel(TODAY)
def test_self_test_expiry_is_the_engines(alice, alice_cpt, self_test):
    """The feed shows the last day the engine gives the issue for each body (ACSM-SELFTEST-1)."""
    standing = standing_of(alice, TODAY)
    credit = standing.evaluation.certification(str(alice_cpt.pk)).credit(str(self_test.pk))
    (deadline,) = [d for d in deadlines_of(standing) if d.kind == "self_test"]
    assert deadline.day == credit.expires_on == date(2026, 10, 15)
    assert "can earn ACSM credit" in deadline.description


@time_machine.travel(TODAY)
def test_owner_sees_and_regenerates_the_address(client, alice, alice_cpt):
    client.force_login(alice.user)
    response = client.get(reverse("exports:calendar"))
    assert response.status_code == 200
    feed = CalendarFeed.objects.get(professional=alice)
    assert len(feed.token) >= 43
    body = response.content.decode()
    assert f"/calendar/{feed.token}.ics" in body and "webcal://" in body
    assert "cycle ends" in body
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    # The same address on the next visit.
    client.get(reverse("exports:calendar"))
    assert CalendarFeed.objects.get(professional=alice).token == feed.token

    old_url = reverse("exports:calendar_feed", args=[feed.token])
    response = client.post(reverse("exports:calendar_regenerate"))
    assert response.status_code == 302 and response.url == reverse("exports:calendar")
    new = CalendarFeed.objects.get(professional=alice)
    assert new.token != feed.token
    client.logout()
    assert client.get(old_url).status_code == 404
    assert client.get(reverse("exports:calendar_feed", args=[new.token])).status_code == 200


def test_regenerate_needs_post_and_csrf(alice):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(alice.user)
    assert csrf_client.get(reverse("exports:calendar_regenerate")).status_code == 405
    assert csrf_client.post(reverse("exports:calendar_regenerate")).status_code == 403
    assert not CalendarFeed.objects.filter(professional=alice).exists()


def test_unknown_token_is_404(client, db):
    assert client.get("/calendar/not-a-real-token.ics").status_code == 404


@time_machine.travel(TODAY)
def test_bob_sees_only_his_own_calendar(client, alice, bob, alice_cpt):
    alice_feed = do_issue_calendar_feed(alice, actor=alice.user)
    client.force_login(bob.user)
    body = client.get(reverse("exports:calendar")).content.decode()
    assert alice_feed.token not in body and "Personal Trainer" not in body
    client.post(reverse("exports:calendar_regenerate"))
    alice_feed.refresh_from_db()
    assert client.get(reverse("exports:calendar_feed", args=[alice_feed.token])).status_code \
        == 200  # bob's regeneration touched only his own


def test_calendar_pages_need_login(client, db):
    assert client.get(reverse("exports:calendar")).status_code == 302
    response = client.post(reverse("exports:calendar_regenerate"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_history_records_regeneration_without_the_secret(alice):
    from recert.core.models import History

    feed = do_issue_calendar_feed(alice, actor=alice.user)
    feed = do_issue_calendar_feed(alice, actor=alice.user)
    rows = History.objects.filter(object_type="calendarfeed", object_id=feed.pk)
    assert [r.action for r in rows] == ["create", "regenerate"]
    assert all(feed.token not in str(r.changes) for r in rows)


@time_machine.travel(TODAY)
def test_feed_query_count_is_fixed(client, alice, alice_cpt, django_assert_num_queries):
    feed = do_issue_calendar_feed(alice, actor=alice.user)
    url = reverse("exports:calendar_feed", args=[feed.token])
    client.get(url)
    for i in range(10):
        do_create_credit_entry(alice, actor=alice.user, earned_on=date(2026, 1, 1 + i),
                               title=f"Issue {i}", format="self_test", amount=Decimal("1"),
                               unit="item", awarded_by="ACSM", published_on=date(2025, 12, 1))
    # feed + professional, certifications, open cycles, credits, their decisions, claims
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200


@time_machine.travel(TODAY)
def test_two_first_visits_at_once_share_one_feed(client, alice, alice_cpt, monkeypatch):
    """The other visit creates the feed after our check, before our insert."""
    from recert.exports import actions

    real_token, theirs = actions.new_token, []

    def token_while_the_other_visit_commits():
        if not theirs:
            theirs.append(CalendarFeed.objects.create(professional=alice, token=real_token()))
        return real_token()

    monkeypatch.setattr(actions, "new_token", token_while_the_other_visit_commits)
    client.force_login(alice.user)
    response = client.get(reverse("exports:calendar"))
    assert response.status_code == 200
    feed = CalendarFeed.objects.get(professional=alice)
    assert feed.token == theirs[0].token
    assert f"/calendar/{feed.token}.ics" in response.content.decode()
