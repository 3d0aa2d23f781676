"""Shared fixtures: the named people (alice and bob are professionals, sam is staff)."""

from __future__ import annotations

import secrets
from datetime import date

import pytest


@pytest.fixture(autouse=True)
def _site_url(settings):
    """E-mail links point at the test client's host, so a test can follow them."""
    settings.SITE_URL = "http://testserver"


@pytest.fixture(autouse=True)
def _shipped_policies_only():
    """Each test starts with no recorded policy values (an empty table), so the policies in
    force are the shipped files, known without a query (query counts stay as pinned)."""
    from recert.core.policies import forget_loaded

    forget_loaded(table_empty=True)
    yield
    forget_loaded(table_empty=True)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: evaluations are cached by professional id and
    creation time, which repeat across tests (ids reused, clocks frozen)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def password() -> str:
    # Random per test: no password is ever a constant, not even in tests.
    return secrets.token_urlsafe(16)


@pytest.fixture
def programs(db):
    from recert.core.actions.policies import sync_policies
    from recert.core.models import Program

    sync_policies()
    return {(p.body.code, p.code): p for p in Program.objects.select_related("body")}


@pytest.fixture
def sam(db, password):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        "sam", "sam@example.com", password, is_staff=True, is_superuser=True
    )
    user.raw_password = password
    return user


def _professional(username: str, full_name: str, password: str):
    from recert.accounts.models import VerifiedAddress
    from recert.core.actions.professionals import do_create_professional

    professional = do_create_professional(
        username=username, email=f"{username}@example.com", full_name=full_name,
        password=password, actor=None,
    )
    # The named people proved their address long ago (e-mail verification, issue 11).
    VerifiedAddress.objects.create(user=professional.user, email=professional.user.email)
    professional.user.raw_password = password
    return professional


@pytest.fixture
def alice(db, password):
    return _professional("alice", "Alice Archer", password)


@pytest.fixture
def bob(db, password):
    return _professional("bob", "Bob Brown", password)


@pytest.fixture
def alice_cpt(alice, programs, sam):
    """Alice's ACSM CPT, certified 2025-03-15 (first cycle through 2028-12-31)."""
    from recert.core.actions.certifications import do_create_certification

    return do_create_certification(alice, programs[("ACSM", "CPT")], date(2025, 3, 15),
                                   actor=sam, cpr_aed_valid_until=date(2027, 6, 30))


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pass_second_factor(client, user):
    """Marks `client`'s session as having passed the second factor (issue 11 item 6) with a
    confirmed authenticator of `user` (made if missing), as django_otp.login does."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or \
        TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """`client.force_login(user)` logs in as if the user had also typed their second-factor
    code, so tests of staff pages need not; `force_login(user, second_factor=False)` logs in
    with the password step only (the tests of the second factor itself)."""
    from django.test import Client

    real = Client.force_login

    def force_login(self, user, backend=None, second_factor=True):
        real(self, user, backend)
        if second_factor:
            pass_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)
