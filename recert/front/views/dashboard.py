"""The dashboard: where each certification stands, as the engine says."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe

from recert.audits.models import AuditCase
from recert.core.access import professional_of
from recert.core.evaluation import evaluated_of, page_key
from recert.front import explain
from recert.front.charts import Chart, progress_chart
from recert.front.views.common import label
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


def _body(professional, as_of) -> dict:
    """What the dashboard shows below its heading, as HTML: the open invoices and audit
    cases, the certifications' cards and renewal groups, the petitions; and the number of
    entries. Every row it reads moves the professional's evaluation version when it
    changes (recert.core.signals, and the watches of the renewals, audits and providers
    apps)."""
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
    html = render_to_string("front/_dashboard_body.html", {
        "professional": professional, "cards": cards, "groups": groups,
        "open_invoices": open_invoices, "audit_cases": audit_cases})
    return {"html": html, "credit_count": evaluated.credit_count}


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    professional = professional_of(request.user)
    if professional is None:
        return render(request, "front/no_profile.html")
    as_of = timezone.localdate()
    # What the page shows below its heading is cached as HTML per evaluation version and
    # day (recert.core.evaluation.page_key): a page read again reads no certification,
    # credit, invoice, audit or petition row and renders no card, whatever the log's size.
    key = page_key(professional, as_of, "dashboard")
    body = cache.get(key)
    if body is None:
        body = _body(professional, as_of)
        cache.set(key, body, settings.EVALUATION_CACHE_SECONDS)
    return render(request, "front/dashboard.html", {
        "professional": professional, "body_html": mark_safe(body["html"]),
        "credit_count": body["credit_count"], "as_of": as_of,
        # (certification, result) for whoever inspects the page's context (tests): read
        # only when asked, never by the template.
        "rows": SimpleLazyObject(lambda: _rows(professional, as_of)),
    })


def _rows(professional, as_of):
    certifications, evaluated = evaluated_of(professional, as_of)
    return evaluated.rows(certifications)
