"""The people and renewals of the audit tests: alice (ACSM CPT) and bob (ACSM EP) renewed
in 2025, so the ACSM audit of 2026 takes them; ann and abe audit ACSM, eve audits ACE, vic
only views ACSM."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from recert.core.actions.certifications import do_create_certification
from recert.core.actions.staff import do_grant_staff_role
from recert.core.models import CertifyingBody
from tests.factories import log, pay_offline

CERTIFIED_ON = date(2022, 3, 15)  # ACSM: first cycle through 2025-12-31
RENEWED_ON = date(2025, 6, 2)
NOTICE_ON = date(2026, 2, 2)
PDF = b"%PDF-1.4 certificate of completion"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def at(day: date, hour: int = 12):
    """Travel to noon of `day` (UTC), the clock stopped."""
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=UTC),
                               tick=False)


def renew(professional, program, staff, amounts=("15", "15", "15"), on=RENEWED_ON):
    """A certification whose first cycle (to 2025-12-31) was renewed and paid on `on`,
    with credits of `amounts` ACSM CECs logged in 2024: (certification, entries, renewal)."""
    from recert.renewals.actions import do_start_renewal
    from recert.renewals.quotes import quote_renewal

    certification = do_create_certification(professional, program, CERTIFIED_ON, actor=staff,
                                             cpr_aed_valid_until=date(2027, 6, 30))
    entries = [log(professional, date(2024, 1 + i, 10), amount, "ACSM")
               for i, amount in enumerate(amounts)]
    with at(on):
        quote = quote_renewal(professional, certification.pk, on)
        assert quote.can_renew, quote.refusals
        renewal = do_start_renewal(quote, cecs_through_body=quote.cecs_through_body,
                                   cecs_other=Decimal(0), cpr_aed_valid_until=date(2027, 6, 30),
                                   confirmed_details={}, actor=professional.user)
        pay_offline(renewal.invoice, staff)
    renewal.refresh_from_db()
    return certification, entries, renewal


@pytest.fixture
def acsm(programs):
    return CertifyingBody.objects.get(code="ACSM")


def _staff(django_user_model, username, body_code, role):
    user = django_user_model.objects.create_user(username, f"{username}@example.com", "x")
    do_grant_staff_role(user, CertifyingBody.objects.get(code=body_code), role, actor=None)
    return user


@pytest.fixture
def ann(programs, django_user_model):
    return _staff(django_user_model, "ann", "ACSM", "auditor")


@pytest.fixture
def abe(programs, django_user_model):
    return _staff(django_user_model, "abe", "ACSM", "auditor")


@pytest.fixture
def eve(programs, django_user_model):
    return _staff(django_user_model, "eve", "ACE", "auditor")


@pytest.fixture
def vic(programs, django_user_model):
    return _staff(django_user_model, "vic", "ACSM", "viewer")


@pytest.fixture
def alice_renewed(alice, programs, sam, media):
    return renew(alice, programs[("ACSM", "CPT")], sam)


@pytest.fixture
def bob_renewed(bob, programs, sam, media):
    return renew(bob, programs[("ACSM", "EP")], sam, amounts=("20", "20", "20"))


@pytest.fixture
def started(acsm, ann, alice_renewed, django_capture_on_commit_callbacks, mailoutbox):
    """The ACSM audit of 2026 started on NOTICE_ON with a seed; at rate 0.10 every one of
    the renewals of 2025 is selected (one per stratum)."""
    from recert.audits.actions import do_start_audit

    with at(NOTICE_ON), django_capture_on_commit_callbacks(execute=True):
        audit = do_start_audit(acsm, 2026, "seed1", actor=ann, today=NOTICE_ON)
    audit.refresh_from_db()
    return audit


@pytest.fixture
def case(started):
    return started.cases.get()
