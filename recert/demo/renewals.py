"""Renewal demo data, for the lead to call after recert.demo.people.load_demo (not wired in
by this app: core's demo belongs to another engineer).

    from recert.demo.renewals import load_demo_renewals
    load_demo_renewals(today)

Stores every demo certification's status as the engine sees today (so the staff admin's
lifecycle pages match the dashboards) and, for the first demo professional who can renew,
files a renewal request with an open invoice, so staff can try "record offline payment".
No e-mail is sent. Loading twice changes nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from recert.core.evaluation import standing_of
from recert.core.models import Professional
from recert.renewals.actions import do_set_status, do_start_renewal
from recert.renewals.models import Renewal
from recert.renewals.quotes import quote_renewal

DEMO_USERNAMES = ("demo", "riley", "grace", "casey", "nora", "morgan")


@transaction.atomic
def load_demo_renewals(today: date, *, actor=None) -> list[Renewal]:
    filed: list[Renewal] = []
    professionals = Professional.objects.filter(user__username__in=DEMO_USERNAMES)
    for professional in professionals.order_by("pk"):
        standing = standing_of(professional, today)
        for certification, result in standing.rows():
            if result is not None and certification.status != result.status:
                do_set_status(certification, result.status, actor=actor)
    if Renewal.objects.filter(professional__in=professionals).exists():
        return filed
    for professional in professionals.order_by("pk"):
        for certification, _ in standing_of(professional, today).rows():
            quote = quote_renewal(professional, certification.pk, today)
            if quote is None or not quote.can_renew:
                continue
            cpr = certification.cpr_aed_valid_until
            if quote.cpr_aed_required and (cpr is None or cpr < today):
                continue
            filed.append(do_start_renewal(
                quote, cecs_through_body=quote.cecs_through_body,
                cecs_other=max(quote.cecs_other, quote.required - quote.cecs_through_body,
                               Decimal("0")),
                cpr_aed_valid_until=cpr, confirmed_details={"full_name": professional.full_name},
                actor=actor))
            return filed
    return filed
