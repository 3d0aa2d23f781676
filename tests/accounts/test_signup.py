"""Sign-up tells nobody which usernames and addresses exist, and is rate-limited per
address; a new or changed address gets nothing but its verification message until its
link is followed (issue 11 item 5)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from recert.accounts.models import VerifiedAddress
from recert.accounts.verification import verified_email
from recert.core.mail import NOT_VERIFIED, send_message
from recert.core.models import History, Professional


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _mail_at_once(monkeypatch):
    """Messages are queued for after the commit, which the test's transaction never
    reaches: hand them over at once instead (the immediate task backend sends them)."""
    import recert.tasks

    monkeypatch.setattr(recert.tasks, "enqueue_on_commit",
                        lambda task_, *args, **kwargs: task_.enqueue(*args, **kwargs))


def sign_up(client, username, email, password, ip="203.0.113.5"):
    return client.post(reverse("signup"), {
        "username": username, "email": email, "full_name": "Dora Diaz",
        "password1": password, "password2": password}, REMOTE_ADDR=ip)


def link_in(message) -> str:
    return re.search(r"http://testserver(/accounts/\S+)", message.body).group(1)


def test_taken_and_free_answer_alike(alice, password):
    """A free username and address, a taken address, a taken username: the same redirect,
    the same page; only the mailbox learns the difference."""
    pages = []
    for username, email in (("dora", "dora@example.com"), ("other", "ALICE@example.com"),
                            ("alice", "fresh@example.com")):
        client = Client()
        response = sign_up(client, username, email, password)
        assert response.status_code == 302 and response.url == reverse("signup_sent")
        page = client.get(response.url).content.decode()
        page = re.sub(r'"X-CSRFToken": "\w+"', "TOKEN", page.replace(email.lower(), "ADDRESS"))
        pages.append(page)
        assert "_auth_user_id" not in client.session
    assert pages[0] == pages[1] == pages[2]
    assert [m.to for m in mail.outbox] == [["dora@example.com"], ["alice@example.com"],
                                           ["fresh@example.com"]]
    assert "Verify your e-mail address" in mail.outbox[0].subject
    assert "You already have a Recert account" in mail.outbox[1].subject
    assert "username is alice" in mail.outbox[1].body
    assert "Choose another username" in mail.outbox[2].subject
    # Only the free pair made an account.
    assert set(Professional.objects.values_list("user__username", flat=True)) == {
        "alice", "dora"}


def test_form_errors_are_about_what_was_typed_only(db):
    response = Client().post(reverse("signup"), {
        "username": "no spaces!", "email": "not-an-address", "full_name": "",
        "password1": "abc", "password2": "abd"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"username", "email", "full_name", "password2"}


def test_following_the_link_verifies_the_address(client, db, password):
    sign_up(client, "dora", "dora@example.com", password)
    user = Professional.objects.get(user__username="dora").user
    assert verified_email(user) is None
    link = link_in(mail.outbox[0])
    # Opening the link (a mail scanner) asks; it changes nothing.
    page = client.get(link)
    assert page.status_code == 200 and b"dora@example.com" in page.content
    assert verified_email(user) is None
    assert client.post(link).status_code == 302
    assert verified_email(user) == "dora@example.com"
    assert History.objects.filter(action=History.Action.VERIFY_EMAIL,
                                  professional__user=user).count() == 1
    assert client.get("/accounts/verify-email/not-a-token/").status_code == 410


def test_an_unverified_address_receives_nothing_else(db, password):
    sign_up(Client(), "dora", "dora@example.com", password)
    user = Professional.objects.get(user__username="dora").user
    mail.outbox.clear()
    assert send_message("receipt", user, {}) == "skipped"
    assert mail.outbox == []
    row = History.objects.filter(action=History.Action.SKIP_EMAIL,
                                 professional__user=user).get()
    assert NOT_VERIFIED in str(row.changes)
    # Nor a password reset link.
    Client().post(reverse("password_reset"), {"email": "dora@example.com"})
    assert mail.outbox == []


def test_changing_the_address_waits_for_its_link(client, alice):
    client.force_login(alice.user)
    response = client.post(reverse("change_email"), {"email": "Alice.New@example.com"})
    assert response.status_code == 302
    alice.refresh_from_db()
    alice.user.refresh_from_db()
    assert alice.email == alice.user.email == "alice.new@example.com"
    assert verified_email(alice.user) is None
    assert b"not verified yet" in client.get(reverse("change_email")).content
    assert [m.to for m in mail.outbox] == [["alice.new@example.com"]]
    # Its link makes it the address Recert writes to.
    client.post(link_in(mail.outbox[0]))
    assert verified_email(alice.user) == "alice.new@example.com"


def test_changing_to_someone_elses_address_tells_them_not_you(client, alice, bob):
    client.force_login(alice.user)
    response = client.post(reverse("change_email"), {"email": "bob@example.com"},
                           follow=True)
    assert b"We sent a link to bob@example.com" in response.content
    alice.user.refresh_from_db()
    assert alice.user.email == "alice@example.com"
    assert [m.to for m in mail.outbox] == [["bob@example.com"]]
    assert "already have a Recert account" in mail.outbox[0].subject


def test_the_email_page_needs_a_log_in(client, db):
    response = client.get(reverse("change_email"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_existing_users_are_verified_by_the_migration(db, django_user_model):
    """The migration's function, run on accounts made before it: their addresses count."""
    from importlib import import_module

    from django.apps import apps

    old = django_user_model.objects.create_user("old", "Old@Example.com", "x")
    import_module("recert.accounts.migrations.0003_email_verification"
                  ).existing_addresses_are_verified(apps, None)
    assert verified_email(old) == "old@example.com"
    assert VerifiedAddress.objects.filter(user=old).count() == 1


@pytest.mark.parametrize("path,data", [
    ("signup", {"username": "x", "email": "x@example.com", "full_name": "X",
                "password1": "p", "password2": "q"}),
    ("password_reset", {"email": "nobody@example.com"}),
])
def test_signup_and_reset_are_rate_limited_per_address(db, settings, path, data):
    settings.ACCOUNT_RATE_LIMIT = 3
    client = Client()
    for _ in range(3):
        assert client.post(reverse(path), data, REMOTE_ADDR="192.0.2.8").status_code != 429
    refused = client.post(reverse(path), data, REMOTE_ADDR="192.0.2.8")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert b"Too many requests" in refused.content
    # Another address is not affected; a GET of the form never counts.
    assert client.post(reverse(path), data, REMOTE_ADDR="192.0.2.9").status_code != 429
    assert client.get(reverse(path), REMOTE_ADDR="192.0.2.8").status_code == 200
