"""A confirmed entry on the professional's pages (issue 10): its facts are shown, not
editable; a post that changes them anyway is refused and nothing changes; the title and
documents stay theirs; staff's reason and each body's decision are shown."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recert.core.actions.credits import (
    do_correct_credit_entry,
    do_create_credit_entry,
    do_decide_credit_entry,
)
from recert.core.evaluation import evaluate_professional
from recert.core.models import CertifyingBody, CreditEntry

TODAY = date(2026, 6, 1)
PDF = b"%PDF-1.4 certificate"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def corrected(alice, alice_cpt, sam):
    entry = do_create_credit_entry(
        alice, actor=alice.user, earned_on=date(2026, 2, 1), title="Kettlebell Basics",
        format="workshop", amount=Decimal("10"), unit="hour", provider="NASM")
    return do_correct_credit_entry(entry, actor=sam, reason="The certificate says 6 hours.",
                                   amount=Decimal("6"))


def edit_data(entry, **changes):
    data = {"earned_on": entry.earned_on.isoformat(), "format": entry.format,
            "amount": format(entry.amount.normalize(), "f"), "unit": entry.unit,
            "credit_type": entry.credit_type, "awarded_by": entry.awarded_by,
            "provider": entry.provider, "title": entry.title}
    data.update(changes)
    return data


def counted(alice):
    return evaluate_professional(alice, TODAY).certifications[0].earned


def test_the_inflated_edit_through_the_form_is_refused(client, alice, corrected):
    """Before issue 10 the professional could raise a corrected amount and it counted."""
    client.force_login(alice.user)
    before = counted(alice)
    response = client.post(reverse("credit_edit", args=[corrected.pk]),
                           edit_data(corrected, amount="14", title="Renamed"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "number of credits" in body and "ask staff" in body
    corrected.refresh_from_db()
    assert (corrected.amount, corrected.title) == (Decimal("6"), "Kettlebell Basics")
    assert counted(alice) == before == Decimal("6")


@pytest.mark.parametrize("field,value", [
    ("earned_on", "2026-02-02"), ("unit", "ceu"), ("format", "course"),
    ("awarded_by", "NASM"), ("provider", "ACE"), ("course_number", "X1"),
    ("amount", "not a number"),
])
def test_each_locked_field_posted_anyway_is_refused(client, alice, corrected, field, value):
    client.force_login(alice.user)
    response = client.post(reverse("credit_edit", args=[corrected.pk]),
                           {"title": "Renamed", field: value})
    assert response.status_code == 400
    fresh = CreditEntry.objects.get(pk=corrected.pk)
    assert fresh.title == "Kettlebell Basics"
    assert getattr(fresh, field) == getattr(corrected, field)


def test_title_and_documents_stay_editable(client, alice, corrected, media):
    client.force_login(alice.user)
    page = client.get(reverse("credit_edit", args=[corrected.pk])).content.decode()
    assert 'name="amount"' not in page and 'name="title"' in page
    assert "entered or corrected by staff" in page
    response = client.post(reverse("credit_edit", args=[corrected.pk]), {
        "title": "Kettlebell Basics (NASM)",
        "documents": SimpleUploadedFile("cert.pdf", PDF, "application/pdf")})
    assert response.status_code == 302
    corrected.refresh_from_db()
    assert corrected.title == "Kettlebell Basics (NASM)"
    assert corrected.documents.count() == 1 and corrected.amount == Decimal("6")


def test_entry_page_shows_reason_and_decision_and_no_delete(client, alice, corrected, sam):
    do_decide_credit_entry(corrected, CertifyingBody.objects.get(code="ACSM"), "rejected",
                           reason="Content outside the scope of the certification.", actor=sam)
    client.force_login(alice.user)
    body = client.get(reverse("credit", args=[corrected.pk])).content.decode()
    assert "Staff changed this entry: The certificate says 6 hours." in body
    assert "ACSM: rejected" in body and "Content outside the scope" in body
    assert reverse("credit_delete", args=[corrected.pk]) not in body
    assert "decide" in body and "reason" in body  # the history lists the decision
    response = client.post(reverse("credit_delete", args=[corrected.pk]))
    assert response.status_code == 302
    assert CreditEntry.objects.filter(pk=corrected.pk).exists()


def test_bob_cannot_edit_alices_confirmed_entry(client, bob, corrected):
    client.force_login(bob.user)
    assert client.post(reverse("credit_edit", args=[corrected.pk]),
                       {"title": "Mine"}).status_code == 404
