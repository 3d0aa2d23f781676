"""Only the owner sees or pays a renewal, invoice or receipt; others get 404."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from recert.renewals.models import Invoice
from tests.factories import log, pay_offline, renewal_form


@pytest.fixture
def paid_invoice(client, alice, alice_cpt, sam):
    log(alice, date(2026, 2, 1), "45", "ACSM")
    with time_machine.travel(date(2028, 5, 2), tick=False):
        client.force_login(alice.user)
        renewal_form(client, alice_cpt)
        invoice = Invoice.objects.get()
        pay_offline(invoice, sam)
        client.logout()
        yield invoice


def test_bob_cannot_see_or_pay_alices(client, bob, alice_cpt, paid_invoice):
    client.force_login(bob.user)
    for url in (reverse("renewals:start", args=[alice_cpt.pk]),
                reverse("renewals:invoice", args=[paid_invoice.number]),
                reverse("renewals:receipt", args=[paid_invoice.number])):
        assert client.get(url).status_code == 404, url
    pay = reverse("renewals:pay_online", args=[paid_invoice.number])
    assert client.post(pay).status_code == 404
    assert client.post(reverse("renewals:start", args=[alice_cpt.pk]), {}).status_code == 404


def test_anonymous_is_sent_to_login(client, paid_invoice):
    response = client.get(reverse("renewals:invoice", args=[paid_invoice.number]))
    assert response.status_code == 302 and reverse("login") in response.url


def test_owner_downloads_the_pdf_receipt(client, alice, paid_invoice):
    client.force_login(alice.user)
    page = client.get(reverse("renewals:invoice", args=[paid_invoice.number]))
    assert b"receipt" in page.content
    response = client.get(reverse("renewals:receipt", args=[paid_invoice.number]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    from recert.renewals.receipts import receipt_html

    html = receipt_html(paid_invoice)
    assert paid_invoice.number in html and "$45.00" in html and "cheque 1001" in html


def test_no_receipt_before_payment(client, alice, alice_cpt):
    log(alice, date(2026, 2, 1), "45", "ACSM")
    with time_machine.travel(date(2028, 5, 2), tick=False):
        client.force_login(alice.user)
        renewal_form(client, alice_cpt)
        invoice = Invoice.objects.get()
        assert client.get(reverse("renewals:receipt", args=[invoice.number])).status_code == 404
        assert b"cheque or phone" in client.get(
            reverse("renewals:invoice", args=[invoice.number])).content
