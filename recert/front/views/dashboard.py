"""The dashboard: where each certification stands, as the engine says."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from recert.audits.models import AuditCase
from recert.core.evaluation import evaluated_of
from recert.front import explain
from recert.front.charts import Chart, progress_chart
from recert.front.views.common import label, professional_of
from recert.renewals.models import Invoice


@dataclass(frozen=True)
class Card:
    certification: object
    result: object
    label: str
    status_words: str
    blockers: list[str]
    days_left: int
    gauge_now: Decimal
    percent: int
    chart: Chart
    # (what, what to do next) when in grace or invalid, in plain words.
    standing: tuple[str, str] | None = None


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    professional = professional_of(request)
    if professional is None:
        return render(request, "front/no_profile.html")
    as_of = timezone.localdate()
    # The evaluation from the cache while nothing changed (recert.core.evaluation): the
    # page then reads no credit rows, whatever their number.
    certifications, evaluated = evaluated_of(professional, as_of)
    rows = evaluated.rows(certifications)
    earned_on = evaluated.credit_dates
    cards = []
    labels = {}
    for certification, result in rows:
        labels[str(certification.pk)] = label(certification)
        if result is None:
            continue
        # aria-valuenow must stay within min..max; the text label says the full amount.
        now = min(result.earned, result.required)
        percent = int(now * 100 / result.required) if result.required else 100
        cards.append(Card(
            certification=certification, result=result, label=label(certification),
            status_words=explain.STATUSES.get(result.status, result.status),
            blockers=explain.blockers(result, certification),
            days_left=(result.cycle.end - as_of).days, gauge_now=now, percent=percent,
            chart=progress_chart(result, earned_on, as_of),
            standing=explain.standing_words(result, certification),
        ))
    # Only groups the body bills on one invoice (ACSM-MULTI-FEE), as the engine says.
    groups = [
        {"group": g, "labels": [labels.get(i, i) for i in g.certifications]}
        for g in evaluated.evaluation.renewals
        if len(g.certifications) > 1 and g.bills_together
    ]
    open_invoices = list(Invoice.objects.filter(professional=professional, status=Invoice.OPEN)
                         .select_related("renewal__body").order_by("issued_on", "number"))
    # The banner of an audit still open (ACSM-AUDIT-1): one query.
    audit_cases = list(AuditCase.objects.filter(professional=professional).exclude(
        status__in=AuditCase.CLOSED).select_related("audit__body").order_by("pk"))
    return render(request, "front/dashboard.html", {
        "professional": professional, "cards": cards, "groups": groups,
        "open_invoices": open_invoices, "audit_cases": audit_cases,
        "rows": rows, "credit_count": evaluated.credit_count, "as_of": as_of,
    })
