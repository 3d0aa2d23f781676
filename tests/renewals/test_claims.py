"""Every renewal records the credits it claimed (issue 10): ids and the amount counted for
the body; a claimed credit is confirmed, and its documents are kept through the body's
retention period (ACSM-DOC-1); past renewals are backfilled from the evaluation."""

from __future__ import annotations

import importlib
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recert.core.actions.credits import (
    EntryConfirmed,
    do_attach_document,
    do_remove_document,
    do_update_credit_entry,
)
from recert.core.models import Document
from recert.renewals.models import ClaimedCredit, Invoice, Renewal
from tests.factories import log, pay_offline, renewal_form

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4 certificate"


@pytest.fixture
def renewed(client, alice, alice_cpt, sam, media):
    acsm = log(alice, date(2026, 2, 1), "30", "ACSM")
    nasm = log(alice, date(2026, 9, 1), "1.5", "NASM", "ceu")
    do_attach_document(nasm, SimpleUploadedFile("nasm.pdf", PDF), actor=alice.user)
    with time_machine.travel(date(2028, 5, 2), tick=False):
        client.force_login(alice.user)
        assert renewal_form(client, alice_cpt).status_code == 302
        pay_offline(Invoice.objects.get(), sam)
    return {"acsm": acsm, "nasm": nasm, "renewal": Renewal.objects.get()}


def claims():
    return {(c.credit_entry.title, c.counted) for c in
            ClaimedCredit.objects.select_related("credit_entry")}


def test_the_renewal_records_what_it_claimed(renewed):
    assert claims() == {(renewed["acsm"].title, Decimal("30")),
                        (renewed["nasm"].title, Decimal("15"))}
    assert renewed["renewal"].claimed_credits.count() == 2


def test_a_claimed_credit_is_confirmed(renewed, alice):
    entry = renewed["nasm"]
    entry.refresh_from_db()
    assert "claimed by your ACSM renewal" in entry.confirmation()
    with pytest.raises(EntryConfirmed):
        do_update_credit_entry(entry, actor=alice.user, amount=Decimal("3"))


def test_documents_are_kept_one_year_after_the_renewal(renewed, alice, client):
    """ACSM-DOC-1: at least one calendar year after the renewal (paid 05/02/2028)."""
    document = Document.objects.get()
    with time_machine.travel(date(2029, 5, 2), tick=False):
        with pytest.raises(EntryConfirmed) as refused:
            do_remove_document(document, actor=alice.user)
        assert "kept until 05/02/2029" in refused.value.messages[0]
        # Adding stays possible.
        do_attach_document(renewed["nasm"], SimpleUploadedFile("more.pdf", PDF),
                           actor=alice.user)
        client.force_login(alice.user)
        response = client.post(reverse("document_remove",
                                       args=[renewed["nasm"].pk, document.pk]))
        assert response.status_code == 302
        assert Document.objects.filter(pk=document.pk).exists()
    with time_machine.travel(date(2029, 5, 3), tick=False):
        do_remove_document(Document.objects.get(pk=document.pk), actor=alice.user)
    assert not Document.objects.filter(pk=document.pk).exists()


def test_an_unclaimed_entrys_document_can_be_removed(alice, alice_cpt, media):
    entry = log(alice, date(2026, 2, 1), "3", "ACSM")
    document = do_attach_document(entry, SimpleUploadedFile("a.pdf", PDF), actor=alice.user)
    do_remove_document(document, actor=alice.user)
    assert not Document.objects.exists()


def test_a_cancelled_renewal_claims_nothing(client, alice, alice_cpt, sam):
    from recert.renewals.actions import do_cancel_renewal

    log(alice, date(2026, 2, 1), "45", "ACSM")
    with time_machine.travel(date(2028, 5, 2), tick=False):
        client.force_login(alice.user)
        renewal_form(client, alice_cpt, through="45", other="0")
        do_cancel_renewal(Renewal.objects.get(), actor=sam, reason="asked by phone")
    assert not ClaimedCredit.objects.exists()


def test_past_renewals_are_backfilled_from_the_evaluation_at_their_date(renewed):
    migration = importlib.import_module(
        "recert.renewals.migrations.0006_backfill_claimed_credits")
    expected = claims()
    ClaimedCredit.objects.all().delete()
    migration.backfill(apps, None)
    assert claims() == expected
    migration.backfill(apps, None)  # twice: nothing doubled
    assert ClaimedCredit.objects.count() == 2


def test_ace_documents_are_kept_four_years_from_completion(alice, programs, media):
    """ACE-DOC-1: certificates kept at least four years, counted from the course's completion
    (ACE's `documents` policy), not from the renewal as ACSM does."""
    from django.utils import timezone

    from recert.core.actions.credits import retention_ends

    entry = log(alice, date(2026, 3, 10), "1.0", "ACE")
    document = do_attach_document(entry, SimpleUploadedFile("ace.pdf", PDF), actor=alice.user)
    assert retention_ends(document) is None  # not claimed: no retention yet
    renewal = Renewal.objects.create(
        professional=alice, body=programs[("ACE", "PT")].body, cycle_end=date(2027, 3, 31),
        required=Decimal("2"), cecs_through_body=Decimal("2"), cecs_other=Decimal("0"),
        acknowledged_at=timezone.now(), requested_on=date(2027, 3, 1), status="completed",
        completed_at=timezone.now())
    ClaimedCredit.objects.create(renewal=renewal, credit_entry=entry, counted=Decimal("1"))
    assert retention_ends(document) == date(2030, 3, 10)
    with time_machine.travel(date(2030, 3, 10), tick=False), pytest.raises(EntryConfirmed):
        do_remove_document(document, actor=alice.user)
    with time_machine.travel(date(2030, 3, 11), tick=False):
        do_remove_document(Document.objects.get(pk=document.pk), actor=alice.user)
    assert not Document.objects.filter(pk=document.pk).exists()
