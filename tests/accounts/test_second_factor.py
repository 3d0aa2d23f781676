"""Staff and provider accounts log in with a second factor (django-otp: TOTP and recovery
codes) before /staff/, /admin/ and /provider/, and their sessions end after inactivity
(issue 11 item 6)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from recert.accounts.second_factor import needs_second_factor
from recert.core.actions.staff import do_grant_staff_role
from recert.core.models import CertifyingBody, History


def code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def registrar(db, django_user_model, password, programs):
    user = django_user_model.objects.create_user("reg", "reg@example.com", password)
    do_grant_staff_role(user, CertifyingBody.objects.get(code="ACSM"), "registrar", actor=None)
    user.raw_password = password
    return user


def log_in(user, path="/accounts/login/") -> Client:
    client = Client()
    response = client.post(path, {"username": user.username, "password": user.raw_password})
    assert response.status_code == 302
    return client


def test_who_needs_a_second_factor(registrar, sam, alice, django_user_model):
    assert needs_second_factor(registrar) and needs_second_factor(sam)
    assert not needs_second_factor(alice.user)
    assert needs_second_factor(django_user_model(username="x", is_staff=True))


def test_first_log_in_enrols_then_shows_recovery_codes_once(registrar):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = log_in(registrar)
        response = client.get("/staff/")
        assert response.status_code == 302
        assert response.url.startswith(reverse("second_factor_setup"))
        page = client.get(response.url)
        body = page.content.decode()
        assert page.status_code == 200
        svg = re.search(r"<svg.*?</svg>", body, re.S)[0]
        assert "style=" not in svg and not re.findall(r"<script(?![^>]*\bsrc=)", body)
        device = TOTPDevice.objects.get(user=registrar, confirmed=False)
        assert "otpauth" not in body  # the QR code carries it; the page shows the key
        wrong = client.post(page.request["PATH_INFO"] + "?next=/staff/", {"code": "000000"})
        assert b"This code is not right" in wrong.content
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        done = client.post(reverse("second_factor_setup"),
                           {"code": code(device), "next": "/staff/"})
        assert done.status_code == 200
        codes = re.findall(r"<li><code>(\w+)</code></li>", done.content.decode())
        assert len(codes) == 10
        assert "no-store" in done["Cache-Control"] or "no-cache" in done["Cache-Control"]
        assert client.get("/staff/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert History.objects.filter(action=History.Action.ENROL_SECOND_FACTOR,
                                  object_id=registrar.pk).count() == 1
    assert StaticToken.objects.filter(device__user=registrar).count() == 10


def enrolled(user) -> TOTPDevice:
    from recert.accounts.actions import do_enrol_second_factor

    device = TOTPDevice.objects.create(user=user, name="app", confirmed=False)
    do_enrol_second_factor(user, device, actor=user)
    return device


def test_later_log_ins_ask_for_a_code(registrar):
    device = enrolled(registrar)
    client = log_in(registrar)
    response = client.get("/staff/?q=x")
    assert response.status_code == 302
    assert response.url == reverse("second_factor") + "?next=%2Fstaff%2F%3Fq%3Dx"
    # The setup page does not give a second device to a session that did not pass the first.
    assert client.get(reverse("second_factor_setup")).url.startswith(reverse("second_factor"))
    refused = client.post(reverse("second_factor"), {"code": "123456", "next": "/staff/"})
    assert b"This code is not right" in refused.content
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        ok = client.post(reverse("second_factor"), {"code": code(device), "next": "/staff/"})
    assert ok.status_code == 302 and ok.url == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_a_recovery_code_works_once(registrar):
    enrolled(registrar)
    recovery = StaticToken.objects.filter(device__user=registrar).first().token
    first = log_in(registrar)
    assert first.post(reverse("second_factor"), {"code": recovery}).status_code == 302
    assert first.get("/staff/").status_code == 200
    second = log_in(registrar)
    refused = second.post(reverse("second_factor"), {"code": recovery})
    assert refused.status_code == 200
    assert second.get("/staff/").status_code == 302


def test_the_admin_needs_it_too(sam):
    client = log_in(sam, "/admin/login/?next=/admin/")
    response = client.get("/admin/")
    assert response.status_code == 302 and "/accounts/second-factor/" in response.url


def test_an_off_site_next_is_not_followed(registrar):
    device = enrolled(registrar)
    client = log_in(registrar)
    response = client.post(reverse("second_factor"),
                           {"code": code(device), "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == reverse("staff:index")


def test_professionals_are_not_asked(alice, client):
    client.force_login(alice.user, second_factor=False)
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get("/staff/").status_code == 403
    assert client.get(reverse("second_factor_setup")).status_code == 403


def test_the_pages_need_a_log_in(client, db):
    for name in ("second_factor", "second_factor_setup"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_staff_sessions_end_after_inactivity(registrar, settings):
    assert settings.STAFF_SESSION_IDLE_SECONDS == 30 * 60
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        client.force_login(registrar)
        assert client.get("/staff/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get("/staff/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=58), tick=False):
        assert client.get("/staff/").status_code == 200  # 29 minutes since the last
    with time_machine.travel(start + timedelta(minutes=89), tick=False):
        response = client.get("/staff/")
        assert response.status_code == 302 and "/accounts/login/" in response.url
        assert "_auth_user_id" not in client.session


def test_professional_sessions_do_not_time_out(alice):
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        client.force_login(alice.user)
    with time_machine.travel(start + timedelta(hours=5), tick=False):
        assert client.get(reverse("dashboard")).status_code == 200


def test_the_demo_staff_share_one_printed_key(db, django_user_model):
    from recert.demo.people import _enrol_demo_authenticator, demo_authenticator_key

    staff = django_user_model.objects.create_user("staff", "staff@example.com", "x")
    admin = django_user_model.objects.create_user("admin", "admin@example.com", "x")
    _enrol_demo_authenticator([staff, admin])
    devices = TOTPDevice.objects.filter(confirmed=True)
    assert devices.count() == 2 and len({d.key for d in devices}) == 1
    import base64

    key = demo_authenticator_key().replace(" ", "")
    assert base64.b32decode(key + "=" * (-len(key) % 8)) == devices[0].bin_key
