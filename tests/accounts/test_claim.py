"""Staff create a professional without a password; the professional claims the account once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from recert.accounts.actions import ClaimRefused, do_claim_account, do_issue_claim_link
from recert.accounts.models import ClaimToken
from recert.core.actions.professionals import do_create_professional
from recert.core.models import History


@pytest.fixture
def carol(sam):
    return do_create_professional(username="carol", email="carol@example.com",
                                  full_name="Carol Clay", actor=sam)


def claim_url(professional, raw):
    return reverse("claim", kwargs={"user_id": professional.user_id, "token": raw})


def test_created_without_password_cannot_log_in(carol, client):
    assert not carol.user.has_usable_password()
    response = client.post(reverse("login"), {"username": "carol", "password": ""})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_only_a_hash_of_the_token_is_stored(carol, sam):
    raw = do_issue_claim_link(carol, actor=sam)
    token = ClaimToken.objects.get(user=carol.user)
    assert raw not in token.token_hash and len(token.token_hash) == 64
    assert History.objects.filter(action="issue_claim_link", professional=carol).exists()


def test_valid_link_sets_password_and_logs_in(carol, sam, client, password):
    raw = do_issue_claim_link(carol, actor=sam)
    url = claim_url(carol, raw)
    assert client.get(url).status_code == 200
    response = client.post(url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 302 and response.url == reverse("dashboard")
    carol.user.refresh_from_db()
    assert carol.user.check_password(password)
    assert ClaimToken.objects.get(user=carol.user).used_at is not None


def test_reused_link_is_refused(carol, sam, client, password):
    raw = do_issue_claim_link(carol, actor=sam)
    do_claim_account(carol.user_id, raw, password)
    response = client.get(claim_url(carol, raw))
    assert response.status_code == 410
    assert b"already used" in response.content
    with pytest.raises(ClaimRefused, match="already used"):
        do_claim_account(carol.user_id, raw, password + "x")


def test_expired_link_is_refused(carol, sam, client, password):
    raw = do_issue_claim_link(carol, actor=sam)
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = client.get(claim_url(carol, raw))
        assert response.status_code == 410
        assert b"expired" in response.content
        with pytest.raises(ClaimRefused, match="expired"):
            do_claim_account(carol.user_id, raw, password)
    carol.user.refresh_from_db()
    assert not carol.user.has_usable_password()


def test_link_still_valid_just_before_expiry(carol, sam, client):
    raw = do_issue_claim_link(carol, actor=sam)
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        assert client.get(claim_url(carol, raw)).status_code == 200


def test_wrong_user_is_refused(carol, alice, sam, client, password):
    raw = do_issue_claim_link(carol, actor=sam)
    response = client.post(claim_url(alice, raw),
                           {"new_password1": password, "new_password2": password})
    assert response.status_code == 410
    with pytest.raises(ClaimRefused, match="not valid"):
        do_claim_account(alice.user_id, raw, password)
    alice.user.refresh_from_db()
    assert not alice.user.check_password(password + "-not-set")
    assert ClaimToken.objects.get(user=carol.user).used_at is None


def test_unknown_token_is_refused(carol, client):
    assert client.get(claim_url(carol, "nonsense")).status_code == 410


def test_a_new_link_retires_the_old_one(carol, sam, password):
    old = do_issue_claim_link(carol, actor=sam)
    do_issue_claim_link(carol, actor=sam)
    with pytest.raises(ClaimRefused):
        do_claim_account(carol.user_id, old, password)


def test_weak_password_is_refused_and_token_kept(carol, sam, client):
    raw = do_issue_claim_link(carol, actor=sam)
    response = client.post(claim_url(carol, raw),
                           {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200
    assert ClaimToken.objects.get(user=carol.user).used_at is None
