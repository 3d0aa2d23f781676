"""After repeated failed log-ins for a username or an address, log-in is refused for a while."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from recert.accounts.models import LoginAttempt
from recert.accounts.throttle import client_ip


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


def proxied(client, username, password, forwarded, proxy="10.0.0.2"):
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded)


def test_behind_a_proxy_each_client_has_its_own_address(alice, bob, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_THROTTLE_IP_ATTEMPTS = 3
    for name in ("x1", "x2", "x3"):
        proxied(client, name, "wrong", "198.51.100.7")
    assert set(LoginAttempt.objects.values_list("ip", flat=True)) == {"198.51.100.7"}
    # The attacker's address is refused; bob, through the same proxy, is not.
    response = proxied(client, "bob", bob.user.raw_password, "198.51.100.7")
    assert b"Too many failed" in response.content
    response = proxied(client, "bob", bob.user.raw_password, "203.0.113.9")
    assert response.status_code == 302


def test_behind_a_proxy_a_forged_left_entry_is_not_believed(alice, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_THROTTLE_IP_ATTEMPTS = 3
    # The client writes its own X-Forwarded-For; the proxy appends the real address.
    for n in range(3):
        proxied(client, f"x{n}", "wrong", f"192.0.2.{n}, 198.51.100.7")
    response = proxied(client, "alice", alice.user.raw_password, "192.0.2.50, 198.51.100.7")
    assert b"Too many failed" in response.content


def test_without_trusted_proxies_the_header_is_ignored(alice, bob, client, settings):
    assert settings.TRUSTED_PROXY_COUNT == 0
    settings.LOGIN_THROTTLE_IP_ATTEMPTS = 3
    # Spoofing a new X-Forwarded-For for every attempt does not escape the throttle.
    for n in range(3):
        proxied(client, f"x{n}", "wrong", f"192.0.2.{n}", proxy="203.0.113.5")
    assert set(LoginAttempt.objects.values_list("ip", flat=True)) == {"203.0.113.5"}
    response = proxied(client, "bob", bob.user.raw_password, "192.0.2.99", proxy="203.0.113.5")
    assert b"Too many failed" in response.content


def test_client_ip_counts_proxies_from_the_right(rf, settings):
    def ip(forwarded=None, remote="10.0.0.2"):
        meta = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            meta["HTTP_X_FORWARDED_FOR"] = forwarded
        return client_ip(rf.get("/", **meta))

    settings.TRUSTED_PROXY_COUNT = 0
    assert ip("192.0.2.1") == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 2
    assert ip("192.0.2.1, 198.51.100.7, 10.0.0.1") == "198.51.100.7"
    assert ip("198.51.100.7,10.0.0.1") == "198.51.100.7"
    # Too short (did not pass every proxy) or not an address: the connection's address.
    assert ip("198.51.100.7") == "10.0.0.2"
    assert ip(None) == "10.0.0.2"
    assert ip("not-an-ip, 10.0.0.1") == "10.0.0.2"
    assert ip("2001:db8::1, 10.0.0.1") == "2001:db8::1"
