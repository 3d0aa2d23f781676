"""Log-in lock-outs (django-axes, issue 11 item 1): failures count per username *and*
address, so a stranger cannot lock the owner out and one office address does not lock out
everyone behind it; lock-outs expire, a password reset lifts them, each is logged."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from recert.core.models import History
from recert.lib.clientip import client_ip

HOME, STRANGER, OFFICE = "203.0.113.5", "198.51.100.66", "192.0.2.10"


def attempt(client, username, password, ip=HOME):
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=ip)


def lock(username, ip, client=None):
    client = client or Client()
    for _ in range(5):
        response = attempt(client, username, "wrong", ip=ip)
    return response


def test_login_works(alice, client):
    response = attempt(client, "alice", alice.user.raw_password)
    assert response.status_code == 302 and response.url == reverse("dashboard")


def test_fifth_failure_locks_that_username_from_that_address(alice, client, settings):
    assert settings.LOGIN_FAILURE_LIMIT == 5
    for _ in range(4):
        assert attempt(client, "alice", "wrong").status_code == 200
    response = attempt(client, "alice", "wrong")
    assert response.status_code == 429
    # Even the right password is refused there now, with the same page.
    response = attempt(client, "alice", alice.user.raw_password)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_stranger_cannot_lock_the_owner_out(alice, client):
    """Five wrong passwords for alice from the stranger's address lock the stranger out;
    alice, at her usual address, logs in."""
    assert lock("alice", STRANGER).status_code == 429
    assert attempt(Client(), "alice", alice.user.raw_password, ip=STRANGER).status_code == 429
    response = attempt(client, "alice", alice.user.raw_password, ip=HOME)
    assert response.status_code == 302 and response.url == reverse("dashboard")


def test_an_office_address_does_not_lock_out_everyone_behind_it(bob, client):
    """Many failures for many usernames from one address (a gym's Wi-Fi) lock out those
    usernames there; bob, behind the same address, still logs in."""
    for n in range(30):
        attempt(client, f"member{n % 6}", "wrong", ip=OFFICE)
    assert attempt(client, "member1", "wrong", ip=OFFICE).status_code == 429
    response = attempt(Client(), "bob", bob.user.raw_password, ip=OFFICE)
    assert response.status_code == 302


def test_usernames_count_together_whatever_their_case(alice):
    for name in ("ALICE", "Alice", " alice", "aLiCe", "alice"):
        response = attempt(Client(), name, "wrong")
    assert response.status_code == 429
    assert attempt(Client(), "alice", alice.user.raw_password).status_code == 429


def test_locked_out_page_says_when_and_offers_the_reset(alice, client):
    with time_machine.travel(datetime(2026, 12, 2, 10, 0, tzinfo=UTC),
                             tick=False):
        response = lock("alice", HOME, client)
        assert response.status_code == 429
        body = response.content.decode()
        assert "until" in body and "10:15 UTC" in body
        assert "about 15 minutes" in body
        assert reverse("password_reset") in body
        assert response["Retry-After"] == str(15 * 60)


def test_lockout_expires(alice, client):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        lock("alice", HOME, client)
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert attempt(client, "alice", alice.user.raw_password).status_code == 429
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        response = attempt(client, "alice", alice.user.raw_password)
        assert response.status_code == 302
    # A success forgets the earlier failures.
    assert not AccessAttempt.objects.filter(username="alice", ip_address=HOME).exists()


def test_failures_during_a_lockout_do_not_extend_it(alice, client):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        lock("alice", HOME, client)
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        assert attempt(client, "alice", "wrong").status_code == 429
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert attempt(client, "alice", alice.user.raw_password).status_code == 302


def test_password_reset_lifts_the_lockout(alice, client, password,
                                         django_capture_on_commit_callbacks):
    lock("alice", HOME)
    lock("alice", STRANGER)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "alice@example.com"})
    assert response.status_code == 302
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[-1].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new = password + "-reset"
    assert client.post(form_url, {"new_password1": new,
                                  "new_password2": new}).status_code == 302
    assert not AccessAttempt.objects.filter(username="alice").exists()
    assert attempt(Client(), "alice", new, ip=HOME).status_code == 302
    lifted = History.objects.filter(action=History.Action.LIFT_LOCKOUT, professional=alice)
    assert lifted.count() == 2
    assert {h.changes["reason"][1] for h in lifted} == {"password reset"}


def test_every_lockout_is_logged(alice, caplog):
    with caplog.at_level(logging.WARNING, logger="recert.security"):
        lock("alice", STRANGER)
        lock("nobody-by-this-name", STRANGER)
    warnings = [r.getMessage() for r in caplog.records if "locked out" in r.getMessage()]
    assert len(warnings) == 2
    assert "'alice' from 198.51.100.66" in warnings[0]
    row = History.objects.get(action=History.Action.LOCK_OUT)
    assert row.professional == alice and row.object_id == alice.user_id
    assert row.changes["address"] == [None, STRANGER]
    assert row.changes["failures"] == [None, 5]


def test_admin_login_is_locked_out_too(sam):
    client = Client()
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": "sam", "password": "wrong"},
                    REMOTE_ADDR=HOME)
    response = client.post(reverse("admin:login"),
                           {"username": "sam", "password": sam.raw_password}, REMOTE_ADDR=HOME)
    assert response.status_code == 429


def proxied(client, username, password, forwarded, proxy="10.0.0.2"):
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded)


def test_behind_a_proxy_each_client_has_its_own_address(alice, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        proxied(client, "alice", "wrong", "198.51.100.7")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}
    assert proxied(client, "alice", alice.user.raw_password,
                   "198.51.100.7").status_code == 429
    assert proxied(client, "alice", alice.user.raw_password,
                   "203.0.113.9").status_code == 302


def test_behind_a_proxy_a_forged_left_entry_is_not_believed(alice, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        proxied(client, "alice", "wrong", f"192.0.2.{n}, 198.51.100.7")
    assert proxied(client, "alice", alice.user.raw_password,
                   "192.0.2.50, 198.51.100.7").status_code == 429


def test_without_trusted_proxies_the_header_is_ignored(alice, client, settings):
    assert settings.TRUSTED_PROXY_COUNT == 0
    for n in range(5):
        proxied(client, "alice", "wrong", f"192.0.2.{n}", proxy=STRANGER)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {STRANGER}
    assert proxied(client, "alice", alice.user.raw_password, "192.0.2.99",
                   proxy=STRANGER).status_code == 429


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


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_a_get_of_the_login_page_is_never_locked(alice, client, path):
    lock("alice", "127.0.0.1")
    assert client.get(path).status_code == 200
