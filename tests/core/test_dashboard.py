"""The dashboard shows the professional's own certifications with the engine's numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse

from recert.core.actions.certifications import do_create_certification
from recert.core.actions.credits import do_create_credit_entry
from recert.core.actions.history import do_soft_delete
from recert.core.models import StaffMembership


@pytest.fixture
def alice_credits(alice, alice_cpt):
    for i, fmt in enumerate(["workshop", "conference", "webinar"]):
        do_create_credit_entry(alice, actor=alice.user, earned_on=date(2026, 1, 10 + i),
                               title=f"Activity {i}", format=fmt, amount=Decimal("5"),
                               unit="hour")


@time_machine.travel(date(2026, 6, 1))
def test_owner_sees_certifications_and_numbers(client, alice, alice_credits):
    client.force_login(alice.user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alice Archer" in body
    assert "ACSM" in body and "Personal Trainer" in body
    row = response.context["rows"][0][1]
    assert (row.earned, row.required, row.status) == (Decimal("15"), Decimal("45"), "active")
    assert "<dd>15</dd>" in body and "<dd>45</dd>" in body
    assert "renewal opens on 01/01/2028" in body


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_bob_sees_nothing_of_alice(client, bob, alice_cpt, alice_credits):
    client.force_login(bob.user)
    body = client.get(reverse("dashboard")).content.decode()
    assert "Personal Trainer" not in body and "Alice" not in body
    url = reverse("certification", args=[alice_cpt.pk])
    assert client.get(url).status_code == 404


def test_owner_sees_certification_page(client, alice, alice_cpt, alice_credits):
    client.force_login(alice.user)
    response = client.get(reverse("certification", args=[alice_cpt.pk]))
    assert response.status_code == 200
    assert b"Activity 2" in response.content and b"ACSM-CONV-HOUR" in response.content


def test_deleted_certification_is_gone(client, alice, alice_cpt, sam):
    do_soft_delete(alice_cpt, actor=sam)
    client.force_login(alice.user)
    assert client.get(reverse("certification", args=[alice_cpt.pk])).status_code == 404
    assert not client.get(reverse("dashboard")).context["rows"]


def test_staff_without_profile(client, sam, programs):
    """An account without a profile is told so; a staff member is pointed at the console
    (the admin is for superusers only)."""
    client.force_login(sam)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200 and b"no professional profile" in response.content
    StaffMembership.objects.create(user=sam, body=programs[("ACSM", "CPT")].body,
                                   role=Group.objects.get(name="viewer"))
    response = client.get(reverse("dashboard"))
    assert reverse("staff:index").encode() in response.content


def test_dashboard_query_count_does_not_grow(client, alice, alice_credits, programs, sam,
                                            django_assert_num_queries):
    client.force_login(alice.user)
    client.get(reverse("dashboard"))  # warm caches (policies, content types)
    # session, user, professional (with the evaluation version), the menu's consoles; what
    # the page shows below its heading from the cache
    with django_assert_num_queries(4):
        client.get(reverse("dashboard"))
    for code in ("GEI", "EP", "CET"):
        do_create_certification(alice, programs[("ACSM", code)], date(2025, 1, 1), actor=sam)
    for i in range(10):
        do_create_credit_entry(alice, actor=alice.user, earned_on=date(2026, 2, 1 + i),
                               title=f"More {i}", format="course", amount=Decimal("1"),
                               unit="hour")
    # Changed: evaluated again (certifications, cycles, credits, their decisions, late
    # renewals' claims) and the banners read (open invoices, audit cases, petitions), then
    # cached.
    with django_assert_num_queries(12):
        client.get(reverse("dashboard"))
    with django_assert_num_queries(4):
        client.get(reverse("dashboard"))


def test_stylesheet_is_served(client, db):
    from django.contrib.staticfiles import finders

    assert finders.find("recert/app.css")
    body = client.get(reverse("login")).content.decode()
    assert "/static/recert/app.css" in body


def test_the_menu_follows_memberships_at_once_with_a_shared_cache(
        client, alice, programs, monkeypatch, django_capture_on_commit_callbacks,
        django_assert_num_queries):
    """With Redis (here: the test cache standing in for it) the menu's consoles are cached
    per user and memberships version: a membership given or taken shows on the next page,
    and a page read again does not ask the database."""
    from recert.core import context

    monkeypatch.setattr(context, "_shared_cache", lambda: True)
    client.force_login(alice.user)
    staff = reverse("staff:index").encode()
    assert staff not in client.get(reverse("settings")).content
    with django_capture_on_commit_callbacks(execute=True):
        membership = StaffMembership.objects.create(
            user=alice.user, body=programs[("ACSM", "CPT")].body,
            role=Group.objects.get(name="education"))
    assert staff in client.get(reverse("settings")).content
    assert reverse("education:index").encode() in client.get(reverse("dashboard")).content
    # session, user, professional: the consoles from the cache
    with django_assert_num_queries(3):
        client.get(reverse("dashboard"))
    with django_capture_on_commit_callbacks(execute=True):
        membership.delete()
    assert staff not in client.get(reverse("dashboard")).content
