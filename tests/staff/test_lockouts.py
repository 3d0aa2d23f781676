"""Staff registrars see the log-in lock-outs of their bodies' people and lift them (issue 11
item 1); viewers, professionals, staff of another body and anonymous visitors cannot."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from recert.core.actions.staff import do_grant_staff_role
from recert.core.models import CertifyingBody, History


def lock(username, ip):
    client = Client()
    for _ in range(5):
        response = client.post(reverse("login"), {"username": username, "password": "wrong"},
                               REMOTE_ADDR=ip)
    assert response.status_code == 429


def staff(django_user_model, name, body, role):
    user = django_user_model.objects.create_user(name, f"{name}@example.com", "x")
    do_grant_staff_role(user, CertifyingBody.objects.get(code=body), role, actor=None)
    return user


@pytest.fixture
def locked(alice_cpt, bob):
    lock("alice", "198.51.100.66")
    lock("bob", "198.51.100.67")
    lock("made-up-name", "198.51.100.68")
    return AccessAttempt.objects.get(username="alice")


def test_registrar_sees_and_lifts_their_peoples_lockouts(locked, alice, django_user_model):
    registrar = staff(django_user_model, "reg", "ACSM", "registrar")
    client = Client()
    client.force_login(registrar)
    # The console's first page leads there.
    assert reverse("staff:lockouts") in client.get(reverse("staff:index")).content.decode()
    page = client.get(reverse("staff:lockouts"))
    assert page.status_code == 200
    body = page.content.decode()
    # Alice holds an ACSM certification; bob holds none of the registrar's bodies.
    assert "alice" in body and "198.51.100.66" in body
    assert "bob" not in body and "made-up-name" not in body
    response = client.post(reverse("staff:lift_lockout", args=[locked.pk]))
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="alice").exists()
    row = History.objects.get(action=History.Action.LIFT_LOCKOUT)
    assert row.actor == registrar and row.professional == alice
    assert row.changes["reason"] == [None, "lifted by staff"]
    # Alice logs in from the address that was locked.
    response = Client().post(reverse("login"), {"username": "alice",
                                                "password": alice.user.raw_password},
                             REMOTE_ADDR="198.51.100.66")
    assert response.status_code == 302


def test_lift_is_a_post(locked, django_user_model):
    client = Client()
    client.force_login(staff(django_user_model, "reg", "ACSM", "registrar"))
    assert client.get(reverse("staff:lift_lockout", args=[locked.pk])).status_code == 405
    assert AccessAttempt.objects.filter(username="alice").exists()


def test_others_cannot_see_or_lift(locked, alice, django_user_model):
    viewer = staff(django_user_model, "view", "ACSM", "viewer")
    other_body = staff(django_user_model, "acereg", "ACE", "registrar")
    cases = [(viewer, 403, 403), (alice.user, 403, 403), (other_body, 200, 404)]
    for user, page_status, lift_status in cases:
        client = Client()
        client.force_login(user)
        page = client.get(reverse("staff:lockouts"))
        assert page.status_code == page_status, user
        assert "198.51.100.66" not in page.content.decode()
        lift = client.post(reverse("staff:lift_lockout", args=[locked.pk]))
        assert lift.status_code == lift_status, user
    anonymous = Client()
    assert anonymous.get(reverse("staff:lockouts")).status_code == 302
    response = anonymous.post(reverse("staff:lift_lockout", args=[locked.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert AccessAttempt.objects.filter(username="alice").exists()
    assert not History.objects.filter(action=History.Action.LIFT_LOCKOUT).exists()


def test_the_list_costs_the_same_for_one_or_three(locked, django_user_model,
                                                  django_assert_max_num_queries):
    registrar = staff(django_user_model, "reg", "ACSM", "registrar")
    client = Client()
    client.force_login(registrar)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("staff:lockouts")).status_code == 200
