"""Helpers shared by the tests (not a test module)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

from django.urls import reverse

from recert.core.actions.credits import do_create_credit_entry

_titles = itertools.count(1)


def log(professional, earned_on: date, amount: str, awarded_by: str = "ACSM", unit: str = "cec",
        fmt: str = "course", **extra):
    """One credit entry with a title of its own (the same title twice counts once)."""
    return do_create_credit_entry(
        professional, actor=professional.user, earned_on=earned_on,
        title=f"Course {next(_titles)} {awarded_by}", format=fmt, amount=Decimal(amount),
        unit=unit, awarded_by=awarded_by, **extra)


def renewal_form(client, certification, *, through="30", other="20", cpr="2030-12-31",
                 acknowledge=True):
    data = {"cecs_through_body": through, "cecs_other": other, "cpr_aed_valid_until": cpr}
    if acknowledge:
        data["acknowledge"] = "on"
    return client.post(reverse("renewals:start", args=[certification.pk]), data)


def pay_offline(invoice, staff, reference="cheque 1001"):
    from recert.renewals.actions import do_record_payment

    return do_record_payment(invoice, gateway="offline", reference=reference,
                             amount=invoice.total, idempotency_key=f"offline:{invoice.number}",
                             actor=staff)


def stripe_signature(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header Stripe sends with `payload` (t=…,v1=HMAC-SHA256 of
    "<t>.<body>"), made here so that tests check the SDK's verification, not our own."""
    import hashlib
    import hmac
    import time

    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload,
                      hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def log_many(professional, n: int, today: date, body: str = "ACSM"):
    """`n` credit entries of four formats over the last 700 days, written in one insert (for
    the query-count pins at 10 and 1,000 entries); the first entry is returned."""
    from recert.core.models import CreditEntry

    formats = [("webinar", "hour", "1"), ("course", "cec", "0.5"), ("teaching", "hour", "2"),
               ("conference", "ceu", "1.2")]
    CreditEntry.objects.bulk_create(
        CreditEntry(professional=professional, earned_on=today - timedelta(days=i % 700),
                    reported_on=today, title=f"Course {i}", format=formats[i % 4][0],
                    unit=formats[i % 4][1], amount=Decimal(formats[i % 4][2]),
                    awarded_by=body if formats[i % 4][1] == "cec" else "OTHER",
                    provider="City Gym" if i % 3 else body)
        for i in range(n))
    return CreditEntry.objects.filter(professional=professional).first()
