"""Audit demo data (issue 13), for `recert demo` after the people and renewals: Audra
Audit, an ACSM CPT whose renewal of last year was selected in this year's ACSM audit, her
proof due in 20 days, so the whole journey can be tried at once (log in as `audra`, then as
`acsm-auditor`). Loading twice changes nothing but her password.

    from recert.demo.audits import load_demo_audit
    accounts += load_demo_audit(today, password=password)
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from recert.audits.actions import do_start_audit
from recert.audits.models import Audit
from recert.core.actions.certifications import do_create_certification
from recert.core.actions.credits import do_create_credit_entry
from recert.core.actions.professionals import do_create_professional
from recert.core.models import Certification, CertifyingBody, Professional, Program
from recert.demo.people import DemoAccount
from recert.renewals.actions import do_record_payment, do_start_renewal
from recert.renewals.models import Renewal
from recert.renewals.quotes import quote_renewal

USERNAME = "audra"
CREDITS = (("Functional Training Summit", "conference", "15"),
           ("Program Design Workshop", "workshop", "15"),
           ("Exercise Science Online Course", "online_course", "15"))


@transaction.atomic
def load_demo_audit(today: date, *, password: str | None = None) -> list[DemoAccount]:
    y = today.year
    acsm = CertifyingBody.objects.get(code="ACSM")
    auditor = get_user_model().objects.filter(username="acsm-auditor").first()
    pw = password if password is not None else secrets.token_urlsafe(12)
    user = get_user_model().objects.filter(username=USERNAME).first()
    if user is None:
        professional = do_create_professional(
            username=USERNAME, email="audra@example.com", full_name="Audra Audit",
            password=pw, actor=auditor, city="Denver", region="CO", country="United States")
    else:
        user.set_password(pw)
        user.save(update_fields=["password"])
        professional = Professional.objects.get(user=user)
    account = [DemoAccount(USERNAME, pw, "professional selected in this year's ACSM audit")]

    # An ACSM CPT whose first cycle ended on December 31 of last year, renewed last June.
    program = Program.objects.get(body=acsm, code="CPT")
    certification = Certification.objects.filter(professional=professional,
                                                  program=program).first()
    if certification is None:
        certification = do_create_certification(
            professional, program, date(y - 4, 3, 15), actor=auditor,
            cpr_aed_valid_until=today + timedelta(days=365))
        for i, (title, fmt, amount) in enumerate(CREDITS):
            do_create_credit_entry(professional, actor=professional.user,
                                   earned_on=date(y - 2, 3 + 3 * i, 10), title=title,
                                   format=fmt, amount=Decimal(amount), unit="hour",
                                   provider="Rocky Mountain Fitness Education",
                                   reported_on=date(y - 2, 3 + 3 * i, 10))
    if not Renewal.objects.filter(professional=professional, status=Renewal.COMPLETED).exists():
        renewed_on = date(y - 1, 6, 1)
        quote = quote_renewal(professional, certification.pk, renewed_on)
        if quote is None or not quote.can_renew:
            return account
        renewal = do_start_renewal(
            quote, cecs_through_body=Decimal(0), cecs_other=quote.required,
            cpr_aed_valid_until=certification.cpr_aed_valid_until,
            confirmed_details={"full_name": professional.full_name}, actor=professional.user)
        do_record_payment(renewal.invoice, gateway="offline", reference="demo cheque",
                          amount=renewal.invoice.total,
                          idempotency_key=f"demo-audit:{renewal.invoice.number}", actor=auditor,
                          received_at=datetime(y - 1, 6, 2, 12, tzinfo=UTC))

    # This year's ACSM audit, started ten days ago (in this year), with a fixed seed.
    if not Audit.objects.filter(body=acsm, year=y).exists():
        notice = max(today - timedelta(days=10), date(y, 1, 1))
        do_start_audit(acsm, y, f"demo{y}", actor=auditor, today=notice)
    return account
