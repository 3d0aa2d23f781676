"""The professional's page in the staff console (issue 12): one screen with certifications,
cycles, the engine's evaluation, credits with review states, documents, invoices and
history; only the data of the staff member's bodies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from recert.core.actions.certifications import do_create_certification
from recert.core.actions.credits import do_attach_document, do_decide_credit_entry
from recert.core.models import CertifyingBody
from tests.factories import log, renewal_form
from tests.staff.people import *  # noqa: F403


def _page(user, person):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(f"/staff/professionals/{person.pk}/")


def test_one_screen_shows_everything_of_the_body(acsm_viewer, alice, alice_cpt, programs,
                                                 sam, media):
    entry = log(alice, date(2026, 2, 1), "45", "ACSM", provider="Fit Inc")
    do_attach_document(entry, SimpleUploadedFile("cert.pdf", b"%PDF-1.4\n%x\n"),
                       actor=alice.user)
    do_decide_credit_entry(entry, CertifyingBody.objects.get(code="ACSM"), "accepted",
                           actor=sam, reason="Certificate checked")
    do_decide_credit_entry(entry, CertifyingBody.objects.get(code="ACE"), "rejected",
                           actor=sam, reason="ACE-only secret reason")
    do_create_certification(alice, programs[("ACE", "PT")], date(2025, 6, 10), actor=sam)
    with time_machine.travel(date(2028, 5, 2), tick=False):
        client = Client()
        client.force_login(alice.user)
        renewal_form(client, alice_cpt)
        response = _page(acsm_viewer, alice)
    assert response.status_code == 200
    body = response.content.decode()
    assert "ACSM Certified Personal Trainer" in body
    assert "data-evaluation" in body and "of 45 earned" in body  # the engine's figures
    assert "Fit Inc" in body and "cert.pdf" in body
    assert "ACSM accepted: Certificate checked" in body
    assert "ACE-only secret reason" not in body  # another body's decision
    assert "ACE" not in body.split('id="certifications"')[1].split('id="credits"')[0]
    assert 'data-invoice="R' in body  # the ACSM renewal's invoice
    assert "document attached" in body  # history


def test_other_bodys_invoices_and_history_are_not_shown(ace_registrar, alice, alice_cpt,
                                                        programs, sam):
    do_create_certification(alice, programs[("ACE", "PT")], date(2025, 6, 10), actor=sam)
    with time_machine.travel(date(2028, 5, 2), tick=False):
        client = Client()
        client.force_login(alice.user)
        renewal_form(client, alice_cpt)  # an ACSM invoice
        body = _page(ace_registrar, alice).content.decode()
    assert "data-invoice" not in body
    assert "ACSM" not in body  # its certification, invoice, renewal and their history
    assert "ACE" in body


def test_refused_to_everyone_else(refusers, alice, alice_cpt):
    expected = {"other body": 404, "without the role": 200, "professional": 403}
    for who, user in refusers.items():
        response = _page(user, alice)
        if user is None:
            assert response.status_code == 302 and "/login/" in response.url, who
        else:
            assert response.status_code == expected[who], who


def test_no_forms_without_the_role(acsm_viewer, alice, alice_cpt):
    body = _page(acsm_viewer, alice).content.decode()
    assert "/reinstate/" not in body and "/exam/" not in body and "/payment/" not in body


@pytest.mark.parametrize("credits", [1, 20])
def test_query_count_does_not_grow_with_credits(acsm_registrar, alice, alice_cpt, credits,
                                                django_assert_num_queries, media):
    for i in range(credits):
        entry = log(alice, date(2026, 1, 1 + i), "1", "ACSM")
        do_attach_document(entry, SimpleUploadedFile(f"c{i}.pdf", b"%PDF-1.4\n%x\n"),
                           actor=alice.user)
    client = Client()
    client.force_login(acsm_registrar)
    with django_assert_num_queries(21):  # the menu's consoles: one query
        assert client.get(f"/staff/professionals/{alice.pk}/").status_code == 200


def test_amounts_are_decimals(acsm_viewer, alice, alice_cpt):
    log(alice, date(2026, 2, 1), "1.5", "ACSM")
    body = _page(acsm_viewer, alice).content.decode()
    row = body.split('data-credit="')[1].split("</tr>")[0]
    assert f'{Decimal("1.5")} cec' in row and "1.500" not in row
