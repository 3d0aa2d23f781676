"""ACSM-GRACE-2 in the app (issue 10): a professional short of credits on December 31
earns them in the grace period and renews late; the late renewal claims them, so they do
not count again in the next cycle. Dashboard, report form, renewal form and nightly job."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from recert.core.models import Certification, Cycle
from recert.renewals.lifecycle import run_nightly
from recert.renewals.models import ClaimedCredit, Invoice
from tests.factories import log, pay_offline, renewal_form

pytestmark = pytest.mark.django_db
CYCLE_END = date(2028, 12, 31)  # alice_cpt's first cycle


def dashboard(client, certification):
    client.force_login(certification.professional.user)  # a session of the travelled day
    response = client.get(reverse("dashboard"))
    return dict((c.pk, r) for c, r in response.context["rows"])[certification.pk]


def report(client, day: str, amount: str, title: str):
    return client.post(reverse("report"), {
        "earned_on": day, "format": "course", "amount": amount, "unit": "hour",
        "credit_type": "cec", "provider": "ACSM", "provider_other": "", "title": title,
        "grade": "", "published_on": "", "course_number": ""})


@pytest.fixture
def short(client, alice, alice_cpt):
    """30 of 45 CECs on the last day of the cycle."""
    log(alice, date(2026, 2, 1), "30", "ACSM")
    with time_machine.travel(CYCLE_END, tick=False):
        result = dashboard(client, alice_cpt)
        assert (result.status, result.earned) == ("active", Decimal("30"))
        assert "short_of_required" in result.renewal.blockers
    return alice_cpt


def test_short_on_december_31_earns_in_grace_and_renews_late(client, alice, short, sam):
    with time_machine.travel(date(2029, 1, 1), tick=False):
        run_nightly(date(2029, 1, 1))
        assert Certification.objects.get(pk=short.pk).status == "grace"
        result = dashboard(client, short)
        assert (result.status, result.earned) == ("grace", Decimal("30"))

    # Earned in grace, through the report form: counts toward the ended cycle.
    with time_machine.travel(date(2029, 2, 10), tick=False):
        client.force_login(alice.user)
        assert report(client, "2029-02-01", "15", "Grace workshop").status_code == 302
        result = dashboard(client, short)
        assert (result.status, result.earned, result.remaining) == (
            "grace", Decimal("45"), Decimal("0"))
        assert "short_of_required" not in result.renewal.blockers
        assert result.renewal.late_fee > 0
        run_nightly(date(2029, 2, 10))
        assert Certification.objects.get(pk=short.pk).status == "grace"
        form = client.get(reverse("renewals:start", args=[short.pk])).context["form"]
        assert form.initial["cecs_through_body"] == "45"
        assert renewal_form(client, short, through="45", other="0").status_code == 302
        pay_offline(Invoice.objects.get(), sam)

    grace_credit = ClaimedCredit.objects.get(credit_entry__title="Grace workshop")
    assert grace_credit.counted == Decimal("15")
    new = Cycle.objects.filter(certification=short, closed_at__isnull=True).get()
    assert new.start <= date(2029, 2, 1) <= new.end  # the next cycle holds its date

    # The next cycle: the claimed grace credit does not count again (ACSM-GRACE-2); one
    # earned in grace but not claimed (logged after the renewal) does.
    with time_machine.travel(date(2029, 3, 1), tick=False):
        client.force_login(alice.user)
        assert report(client, "2029-02-05", "2", "Logged after renewing").status_code == 302
        result = dashboard(client, short)
        assert result.status == "active"
        by_title = {e.title: result.credit(str(e.pk)) for e in
                    short.professional.credit_entries.all()}
        claimed = by_title["Grace workshop"]
        assert (claimed.outcome, claimed.counted) == ("rejected", Decimal("0"))
        assert "ACSM-GRACE-2" in claimed.rules
        assert by_title["Logged after renewing"].counted == Decimal("2")
        assert result.earned == Decimal("2")


def test_credits_after_the_grace_end_do_not_save_the_ended_cycle(client, alice, short):
    """The other side of the grace end (June 30 after the cycle end): invalid."""
    with time_machine.travel(date(2029, 6, 30), tick=False):
        result = dashboard(client, short)
        assert result.status == "grace"
    with time_machine.travel(date(2029, 7, 1), tick=False):
        client.force_login(alice.user)
        report(client, "2029-07-01", "15", "Too late")
        result = dashboard(client, short)
        assert result.status == "invalid" and not result.renewal.can_renew
        run_nightly(date(2029, 7, 1))
        assert Certification.objects.get(pk=short.pk).status == "invalid"


def test_dashboard_says_grace_and_invalid_in_plain_words(client, alice, short):
    with time_machine.travel(date(2029, 1, 15), tick=False):
        client.force_login(alice.user)
        body = client.get(reverse("dashboard")).content.decode()
        assert "Inactive: in the grace period until June 30, 2029." in body
        assert "Earn the 15 CECs still missing before June 30, 2029" in body
    with time_machine.travel(date(2029, 7, 1), tick=False):
        client.force_login(alice.user)
        body = client.get(reverse("dashboard")).content.decode()
        assert "Invalid: the grace period ended on June 30, 2029." in body
        assert "only passing the certification exam again" in body


def test_open_invoice_on_the_dashboard_and_every_invoice_with_its_receipt(client, alice,
                                                                          short, sam):
    log(alice, date(2028, 6, 1), "15", "ACSM")
    with time_machine.travel(date(2028, 7, 1), tick=False):
        client.force_login(alice.user)
        assert renewal_form(client, short, through="45", other="0").status_code == 302
        invoice = Invoice.objects.get()
        body = client.get(reverse("dashboard")).content.decode()
        assert f"Invoice {invoice.number}" in body and f"${invoice.total}" in body
        assert reverse("renewals:invoice", args=[invoice.number]) in body
        listed = client.get(reverse("renewals:invoices")).content.decode()
        assert invoice.number in listed and "open" in listed
        assert reverse("renewals:receipt", args=[invoice.number]) not in listed
        pay_offline(invoice, sam)
        listed = client.get(reverse("renewals:invoices")).content.decode()
        assert reverse("renewals:receipt", args=[invoice.number]) in listed
        assert f"Invoice {invoice.number}" not in client.get(reverse("dashboard")).content.decode()
    client.force_login(sam)
    assert client.get(reverse("renewals:invoices")).status_code == 404
