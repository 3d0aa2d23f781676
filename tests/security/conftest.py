"""The world the security suite attacks: alice's objects of every kind, bob (another
professional), tom (staff with no permission) and sam (superuser)."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import log, pay_offline, renewal_form
from tests.security.urlmap import World


@pytest.fixture
def tom(db, password):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("tom", "tom@example.com", password,
                                                is_staff=True)
    user.raw_password = password
    return user


@pytest.fixture
def world(alice, bob, tom, sam, alice_cpt, media) -> World:
    from axes.models import AccessAttempt
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from recert.accounts.models import ClaimToken
    from recert.core.actions.credits import do_attach_document
    from recert.core.models import Course, History, Provider
    from recert.exports.actions import do_ensure_calendar_feed
    from recert.renewals.models import Invoice, PaymentIssue, Reminder

    secret_title = f"Alice's secret course {secrets.token_hex(4)}"
    entry = log(alice, date(2026, 2, 1), "45", "ACSM")
    entry.title = secret_title
    entry.save(update_fields=["title"])
    document = do_attach_document(
        entry, SimpleUploadedFile("alice-certificate.pdf", b"%PDF-1.4\n% alice's\n"),
        actor=alice.user)
    with time_machine.travel(date(2028, 5, 2), tick=False):
        client = Client()
        client.force_login(alice.user)
        renewal_form(client, alice_cpt)
    invoice = Invoice.objects.get(professional=alice)
    payment, _ = pay_offline(invoice, sam)
    issue = PaymentIssue.objects.create(
        invoice=invoice, gateway="stripe", reference="cs_test_world", reason="Second charge.",
        payload={"event": "evt_1", "session": "cs_test_world", "invoice": invoice.number,
                 "amount_total": 4500, "currency": "usd",
                 "customer_email": "alice@example.com"})
    cycle = alice_cpt.cycles.order_by("number").first()
    reminder = Reminder.objects.create(cycle=cycle, kind=Reminder.KINDS[0][0],
                                       due_on=date(2028, 10, 1),
                                       sent_at="2028-10-01T09:00:00Z",
                                       email="alice@example.com")
    feed = do_ensure_calendar_feed(alice, actor=alice.user)
    from recert.accounts.actions import do_issue_claim_link

    do_issue_claim_link(alice, actor=None)
    token = ClaimToken.objects.get(user=alice.user)
    from recert.api.actions import do_create_access_token

    access_token, access_raw = do_create_access_token(
        alice.user, name="Alice's script", scope="write", expires_at=None, actor=alice.user)
    extra = {
        "group": Group.objects.create(name="Finance"),
        "claim_token": token,
        "access_token": access_token,
        "access_raw": access_raw,
        "lockout": AccessAttempt.objects.create(
            username="alice", ip_address="192.0.2.77", user_agent="x", get_data="",
            post_data="", http_accept="", path_info="/accounts/login/",
            failures_since_start=5),
        "totp_device": TOTPDevice.objects.create(user=alice.user, name="app", confirmed=True),
        "static_device": StaticDevice.objects.create(user=alice.user, name="recovery"),
        "history": History.objects.filter(professional=alice).first(),
        "course": Course.objects.create(
            body=alice_cpt.program.body, course_number="ACSM-1", title="A catalog course",
            provider=Provider.objects.get_or_create(name="ACSM")[0], credits=Decimal("2"),
            approved_from=date(2020, 1, 1), status=Course.APPROVED),
    }
    from recert.audits.models import Audit, AuditCase, AuditItem
    from recert.providers.models import Event

    audit = Audit.objects.create(
        body=alice_cpt.program.body, year=2029, seed="world", rate=Decimal("0.1"),
        response_days=30, replacement_days=90, inactive_months=12, rule="ACSM-AUDIT-1",
        notice_on=date(2029, 2, 1), strata=[{"program": "CPT", "population": 1,
                                             "selected": [invoice.renewal_id]}])
    extra["audit_case"] = AuditCase.objects.create(
        audit=audit, renewal=invoice.renewal, professional=alice, stratum="CPT",
        notified_on=date(2029, 2, 1), due_on=date(2029, 3, 3))
    extra["audit_item"] = AuditItem.objects.create(case=extra["audit_case"], credit_entry=entry)
    extra["event"] = Event.objects.create(
        course=extra["course"], delivery="online",
        starts_at=datetime(2027, 1, 1, 10, tzinfo=UTC),
        ends_at=datetime(2027, 1, 1, 12, tzinfo=UTC), time_zone="UTC")
    from recert.providers.models import Roster, RosterRow

    roster = Roster.objects.create(course=extra["course"], file_name="r.csv", sha256="0")
    extra["roster_row"] = RosterRow.objects.create(
        roster=roster, course=extra["course"], line=2, email="alice@example.com",
        completed_on=date(2026, 2, 1), state=RosterRow.HELD)
    from recert.core.models import CertifyingBody
    from recert.providers.models import Petition

    extra["petition"] = Petition.objects.create(
        credit_entry=entry, body=CertifyingBody.objects.get(code="ACE"), professional=alice,
        description="Alice's agenda", hours=Decimal("6"))
    # A duplicate of alice merged into her profile (issue 12): the merge's record is hers.
    from recert.core.actions.professionals import do_create_professional
    from recert.core.models import ProfileMerge

    zed = do_create_professional(username="zed", email="zed@example.com", full_name="Zed",
                                 actor=None)
    extra["merge"] = ProfileMerge.objects.create(kept=alice, merged=zed, reason="world")
    return World(alice=alice, bob=bob, tom=tom, sam=sam, certification=alice_cpt, entry=entry,
                 document=document, invoice=invoice, payment=payment, payment_issue=issue,
                 reminder=reminder, calendar_token=feed.token,
                 markers=[secret_title, "Alice Archer", "alice@example.com",
                          "alice-certificate"],
                 extra=extra)
