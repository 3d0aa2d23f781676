"""Reinstate, record a passed exam (registrar) and record an offline payment (finance)
from the professional's page, through the renewal actions (issue 12)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.test import Client

from recert.core.models import Certification, Cycle, History
from recert.renewals.models import Invoice
from tests.factories import log, renewal_form
from tests.staff.people import *  # noqa: F403


def _client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_registrar_reinstates_with_a_reason(acsm_registrar, alice, alice_cpt):
    alice_cpt.status = "invalid"
    alice_cpt.save()
    client = _client(acsm_registrar)
    response = client.post(f"/staff/certifications/{alice_cpt.pk}/reinstate/",
                           {f"r{alice_cpt.pk}-reason": "Exam record found on file"})
    assert response.status_code == 302
    alice_cpt.refresh_from_db()
    assert alice_cpt.status == "active"
    row = History.objects.of(alice_cpt).get(action="reinstate")
    assert row.actor == acsm_registrar
    assert row.changes["reason"] == [None, "Exam record found on file"]


def test_reinstate_without_a_reason_names_the_field(acsm_registrar, alice, alice_cpt):
    client = _client(acsm_registrar)
    response = client.post(f"/staff/certifications/{alice_cpt.pk}/reinstate/",
                           {f"r{alice_cpt.pk}-reason": "  "})
    assert response.status_code == 400
    assert "Enter the reason for reinstating" in response.content.decode()
    assert not History.objects.of(alice_cpt).filter(action="reinstate").exists()


def test_registrar_records_a_passed_exam(acsm_registrar, alice, alice_cpt):
    with time_machine.travel(date(2029, 3, 1), tick=False):
        client = _client(acsm_registrar)
        response = client.post(f"/staff/certifications/{alice_cpt.pk}/exam/",
                               {f"e{alice_cpt.pk}-passed_on": "2029-02-20"})
        assert response.status_code == 302
        assert Cycle.objects.filter(certification=alice_cpt, closed_reason="exam").exists()
        future = client.post(f"/staff/certifications/{alice_cpt.pk}/exam/",
                             {f"e{alice_cpt.pk}-passed_on": "2029-04-20"})
        assert future.status_code == 400 and "is in the future" in future.content.decode()
        bad = client.post(f"/staff/certifications/{alice_cpt.pk}/exam/",
                          {f"e{alice_cpt.pk}-passed_on": "20/20/2029"})
        assert bad.status_code == 400 and "Enter a date" in bad.content.decode()


@pytest.fixture
def open_invoice(alice, alice_cpt):
    log(alice, date(2026, 2, 1), "45", "ACSM")
    with time_machine.travel(date(2028, 5, 2), tick=False):
        client = _client(alice.user)
        renewal_form(client, alice_cpt)
    return Invoice.objects.get(professional=alice)


def test_finance_records_an_offline_payment_once(acsm_finance, open_invoice):
    with time_machine.travel(date(2028, 5, 10), tick=False):
        client = _client(acsm_finance)
        page = client.get(f"/staff/professionals/{open_invoice.professional_id}/")
        assert f"/staff/invoices/{open_invoice.number}/payment/" in page.content.decode()
        url = f"/staff/invoices/{open_invoice.number}/payment/"
        data = {f"p{open_invoice.pk}-reference": "cheque 1001"}
        assert client.post(url, data).status_code == 302
        again = client.post(url, data, follow=True)
    open_invoice.refresh_from_db()
    assert open_invoice.status == Invoice.PAID
    assert open_invoice.payment.reference == "cheque 1001"
    assert "already paid" in again.content.decode()


def test_payment_without_a_reference_names_the_field(acsm_finance, open_invoice):
    client = _client(acsm_finance)
    response = client.post(f"/staff/invoices/{open_invoice.number}/payment/",
                           {f"p{open_invoice.pk}-reference": ""})
    assert response.status_code == 400
    assert "Enter the cheque number" in response.content.decode()
    open_invoice.refresh_from_db()
    assert open_invoice.status == Invoice.OPEN


def _posts(certification, invoice):
    return [
        (f"/staff/certifications/{certification.pk}/reinstate/",
         {f"r{certification.pk}-reason": "because"}),
        (f"/staff/certifications/{certification.pk}/exam/",
         {f"e{certification.pk}-passed_on": "2026-01-01"}),
        (f"/staff/invoices/{invoice.number}/payment/", {f"p{invoice.pk}-reference": "x"}),
    ]


def test_every_action_refuses_who_may_not(refusers, acsm_registrar, acsm_finance, alice_cpt,
                                          open_invoice):
    """Staff of the other body: 404 (the record's existence does not leak); staff without
    the role and professionals: 403; anonymous: the log-in page. Nothing is written."""
    expected = {"other body": {404}, "without the role": {403}, "professional": {403}}
    before = History.objects.count()
    for url, data in _posts(alice_cpt, open_invoice):
        for who, user in refusers.items():
            response = _client(user).post(url, data)
            if user is None:
                assert response.status_code == 302 and "/login/" in response.url, (url, who)
            else:
                assert response.status_code in expected[who], (url, who, response.status_code)
    # A registrar cannot record a payment, finance cannot reinstate.
    reinstate, exam, payment = _posts(alice_cpt, open_invoice)
    assert _client(acsm_registrar).post(*payment).status_code == 403
    assert _client(acsm_finance).post(*reinstate).status_code == 403
    assert _client(acsm_finance).post(*exam).status_code == 403
    assert History.objects.count() == before
    assert Certification.objects.get(pk=alice_cpt.pk).status == "active"


def test_get_is_not_allowed(acsm_registrar, alice_cpt):
    assert _client(acsm_registrar).get(
        f"/staff/certifications/{alice_cpt.pk}/reinstate/").status_code == 405
