"""After repeated failed log-ins for a username or an address, log-in is refused for a while."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from recert.accounts.models import LoginAttempt


def attempt(client, username, password, ip="203.0.113.5"):
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=ip)


def test_login_works(alice, client):
    response = attempt(client, "alice", alice.user.raw_password)
    assert response.status_code == 302 and response.url == reverse("dashboard")


def test_refused_after_five_failures_even_with_the_right_password(alice, client, settings):
    assert settings.LOGIN_THROTTLE_ATTEMPTS == 5
    for _ in range(5):
        response = attempt(client, "alice", "wrong")
        assert b"Too many failed" not in response.content
    response = attempt(client, "alice", alice.user.raw_password)
    assert response.status_code == 200
    assert b"Too many failed log-in attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_throttle_counts_per_username_case_insensitively(alice, client):
    for _ in range(5):
        attempt(client, "ALICE", "wrong", ip=f"198.51.100.{_}")
    response = attempt(client, "alice", alice.user.raw_password, ip="198.51.100.99")
    assert b"Too many failed" in response.content


def test_throttle_per_address(alice, bob, client, settings):
    settings.LOGIN_THROTTLE_IP_ATTEMPTS = 3
    for name in ("x1", "x2", "x3"):
        attempt(client, name, "wrong", ip="192.0.2.1")
    response = attempt(client, "bob", bob.user.raw_password, ip="192.0.2.1")
    assert b"Too many failed" in response.content
    # Another address is not affected.
    response = attempt(client, "bob", bob.user.raw_password, ip="192.0.2.2")
    assert response.status_code == 302


def test_window_passes_and_success_clears(alice, client):
    for _ in range(5):
        attempt(client, "alice", "wrong")
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = attempt(client, "alice", alice.user.raw_password)
        assert response.status_code == 302
    assert not LoginAttempt.objects.filter(username="alice").exists()


def test_admin_login_is_throttled_too(sam, client):
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": "sam", "password": "wrong"})
    response = client.post(reverse("admin:login"),
                           {"username": "sam", "password": sam.raw_password})
    assert response.status_code == 200
    assert b"Too many failed" in response.content
