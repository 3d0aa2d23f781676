"""Whole lifecycles in time: renew on time, late in grace, invalid then the exam, several
certifications of one body, ACE certifications paid separately (ACSM-RENEW-1, ACSM-GRACE-1,
ACSM-EXAM-1, ACSM-MULTI-1, ACSM-MULTI-FEE, ACE-MULTI-1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import time_machine
from django.core.management import call_command
from django.urls import reverse

from recert.core.actions.certifications import do_create_certification
from recert.core.models import Certification, Cycle, History
from recert.renewals.actions import do_record_exam_pass
from recert.renewals.models import Invoice, Renewal
from tests.factories import log, pay_offline, renewal_form


def _cycles(certification):
    return [(c.number, c.start, c.end, c.closed_reason)
            for c in Cycle.objects.filter(certification=certification).order_by("number")]


def _dashboard_result(client, certification):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return dict((c.pk, r) for c, r in response.context["rows"])[certification.pk]


def _earn_45(alice):
    log(alice, date(2026, 2, 1), "30", "ACSM")          # 30 CECs through ACSM
    log(alice, date(2026, 9, 1), "1.5", "NASM", "ceu")  # 15 CECs from another organization


def test_certified_credits_final_year_renew_new_cycle_from_zero(client, alice, alice_cpt, sam):
    with time_machine.travel(date(2026, 3, 1), tick=False):
        client.force_login(alice.user)
        _earn_45(alice)
        result = _dashboard_result(client, alice_cpt)
        assert not result.renewal.can_renew and "not_final_year" in result.renewal.blockers
        refused = client.get(reverse("renewals:start", args=[alice_cpt.pk]))
        assert b"Renewal opens on 01/01/2028." in refused.content
        assert not Renewal.objects.exists()

    with time_machine.travel(date(2028, 4, 10), tick=False):

        client.force_login(alice.user)
        page = client.get(reverse("renewals:start", args=[alice_cpt.pk]))
        assert page.status_code == 200
        form = page.context["form"]
        # Prefilled from the log, split by the awarding organization.
        assert form.initial["cecs_through_body"] == "30"
        assert form.initial["cecs_other"] == "15"
        assert page.context["quote"].total == Decimal("45.00")
        response = renewal_form(client, alice_cpt, through="30", other="15", cpr="2030-01-31")
        assert response.status_code == 302
        invoice = Invoice.objects.get()
        assert response.url == reverse("renewals:invoice", args=[invoice.number])
        assert invoice.total == Decimal("45.00") and invoice.status == "open"
        assert [(ln.amount) for ln in invoice.lines.all()] == [Decimal("45.00")]
        alice_cpt.refresh_from_db()
        assert alice_cpt.cpr_aed_valid_until == date(2030, 1, 31)

        payment, created = pay_offline(invoice, sam)
        assert created and payment.amount == Decimal("45.00")

        assert _cycles(alice_cpt) == [
            (1, date(2025, 3, 15), date(2028, 12, 31), "renewed"),
            (2, date(2029, 1, 1), date(2031, 12, 31), ""),
        ]
        alice_cpt.refresh_from_db()
        assert alice_cpt.status == "active"
        result = _dashboard_result(client, alice_cpt)
        assert (result.cycle.start, result.cycle.end) == (date(2029, 1, 1), date(2031, 12, 31))
        assert result.earned == 0 and result.remaining == result.required == Decimal("45")
        assert Renewal.objects.get().status == "completed"
        actions = set(History.objects.values_list("action", flat=True))
        assert {"renewed", "record_payment", "complete"} <= actions
        renewed = History.objects.get(action="renewed")
        assert renewed.actor == sam and renewed.professional == alice


def test_late_renewal_in_grace_pays_late_fee_and_keeps_schedule(client, alice, alice_cpt, sam):
    _earn_45(alice)
    with time_machine.travel(date(2029, 2, 15), tick=False):
        client.force_login(alice.user)
        call_command("nightly", verbosity=0)
        alice_cpt.refresh_from_db()
        assert alice_cpt.status == "grace"
        assert History.objects.filter(action="status_change", object_id=alice_cpt.pk).exists()
        page = client.get(reverse("renewals:start", args=[alice_cpt.pk]))
        quote = page.context["quote"]
        assert (quote.fee, quote.late_fee, quote.total) == (
            Decimal("45.00"), Decimal("25.00"), Decimal("70.00"))
        assert b"Late fee" in page.content
        assert renewal_form(client, alice_cpt, other="15").status_code == 302
        invoice = Invoice.objects.get()
        assert invoice.total == Decimal("70.00")
        assert [ln.amount for ln in invoice.lines.all()] == [Decimal("45.00"), Decimal("25.00")]
        pay_offline(invoice, sam)
        # The next cycle is the one on the original schedule, not shifted by lateness.
        assert _cycles(alice_cpt)[-1] == (2, date(2029, 1, 1), date(2031, 12, 31), "")
        alice_cpt.refresh_from_db()
        assert alice_cpt.status == "active"
        call_command("nightly", verbosity=0)
        alice_cpt.refresh_from_db()
        assert alice_cpt.status == "active"


def test_too_late_is_invalid_and_only_the_exam_restores(client, alice, alice_cpt, sam):
    _earn_45(alice)
    with time_machine.travel(date(2029, 7, 2), tick=False):
        client.force_login(alice.user)
        call_command("nightly", verbosity=0)
        alice_cpt.refresh_from_db()
        assert alice_cpt.status == "invalid"
        page = client.get(reverse("renewals:start", args=[alice_cpt.pk]))
        assert page.status_code == 200 and "form" not in page.context
        assert b"passing the certification exam" in page.content
        assert renewal_form(client, alice_cpt).status_code == 200
        assert not Renewal.objects.exists()

    with time_machine.travel(date(2029, 9, 20), tick=False):

        client.force_login(alice.user)
        do_record_exam_pass(alice_cpt, date(2029, 9, 14), actor=sam)
        assert _cycles(alice_cpt) == [
            (1, date(2025, 3, 15), date(2028, 12, 31), "exam"),
            (2, date(2029, 1, 1), date(2031, 12, 31), ""),
        ]
        alice_cpt.refresh_from_db()
        assert alice_cpt.status == "active"
        result = _dashboard_result(client, alice_cpt)
        assert result.status == "active" and result.earned == 0
        assert not Invoice.objects.exists()  # no fee for the exam route here
        assert History.objects.filter(action="record_exam_pass", actor=sam).exists()


def test_two_acsm_certifications_renew_together_for_highest_plus_five(
        client, alice, alice_cpt, programs, sam):
    ep = do_create_certification(alice, programs[("ACSM", "EP")], date(2025, 6, 1), actor=sam,
                                 cpr_aed_valid_until=date(2030, 1, 1))
    log(alice, date(2026, 2, 1), "40", "ACSM")
    log(alice, date(2026, 3, 1), "2.0", "NSCA", "ceu")  # 20
    with time_machine.travel(date(2028, 6, 1), tick=False):
        client.force_login(alice.user)
        page = client.get(reverse("renewals:start", args=[alice_cpt.pk]))
        quote = page.context["quote"]
        assert {c.pk for c, _ in quote.members} == {alice_cpt.pk, ep.pk}
        assert quote.required == Decimal("60")  # the highest requirement
        assert quote.total == Decimal("60.00")  # EP $55 + $5 for the CPT
        # Below the highest requirement: refused even though the CPT needs only 45.
        short = renewal_form(client, alice_cpt, through="40", other="10")
        assert short.status_code == 200 and not Invoice.objects.exists()
        assert renewal_form(client, alice_cpt, through="40", other="20").status_code == 302
        invoice = Invoice.objects.get()
        assert [(ln.description, ln.amount) for ln in invoice.lines.all()] == [
            ("Recertification fee: ACSM Certified Exercise Physiologist", Decimal("55.00")),
            ("Additional certification: ACSM Certified Personal Trainer", Decimal("5.00")),
        ]
        pay_offline(invoice, sam)
        for certification in (alice_cpt, ep):
            assert _cycles(certification)[-1] == (2, date(2029, 1, 1), date(2031, 12, 31), "")
        assert Payment_count() == 1


def Payment_count() -> int:
    from recert.renewals.models import Payment

    return Payment.objects.count()


def test_ace_certifications_are_paid_separately(client, alice, programs, sam):
    pt = do_create_certification(alice, programs[("ACE", "PT")], date(2025, 6, 10), actor=sam)
    gfi = do_create_certification(alice, programs[("ACE", "GFI")], date(2025, 6, 20), actor=sam)
    log(alice, date(2026, 1, 5), "2", "ACE", "ceu", course_number="CA12345")
    with time_machine.travel(date(2026, 8, 1), tick=False):
        client.force_login(alice.user)
        page = client.get(reverse("renewals:start", args=[pt.pk]))
        assert [c.pk for c, _ in page.context["quote"].members] == [pt.pk]
        # ACE asks for no CPR/AED date (its policy says so).
        assert renewal_form(client, pt, through="2", other="0", cpr="").status_code == 302
        assert renewal_form(client, gfi, through="2", other="0", cpr="").status_code == 302
        invoices = list(Invoice.objects.order_by("number"))
        assert [i.total for i in invoices] == [Decimal("129.00"), Decimal("129.00")]
        assert invoices[0].number != invoices[1].number
        pay_offline(invoices[0], sam)
        assert _cycles(pt)[-1] == (2, date(2027, 7, 1), date(2029, 6, 30), "")
        assert _cycles(gfi) == [(1, date(2025, 6, 20), date(2027, 6, 30), "")]
        pay_offline(invoices[1], sam)
        assert _cycles(gfi)[-1][0] == 2
        assert set(Certification.objects.values_list("status", flat=True)) == {"active"}
