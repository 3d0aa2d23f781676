"""Corrections by a registrar (issue 12): add, change or remove a credit, correct a
certification's dates, each with a required reason; the professional sees the correction
and the reason; history keeps before and after."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from recert.core.models import Certification, CreditEntry, Cycle, History
from tests.factories import log
from tests.staff.people import *  # noqa: F403


def _client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _entry_data(entry, **changes):
    data = {"earned_on": entry.earned_on.isoformat(), "title": entry.title,
            "format": entry.format, "amount": str(entry.amount), "unit": entry.unit,
            "awarded_by": entry.awarded_by, "provider": entry.provider,
            "course_number": entry.course_number, "credit_type": entry.credit_type,
            "grade": entry.grade, "published_on": ""}
    data.update(changes)
    return data


@pytest.fixture
def entry(alice, alice_cpt):
    return log(alice, date(2026, 2, 1), "10", "ACSM", provider="Fit Inc")


def test_registrar_corrects_a_credit_and_the_professional_sees_why(acsm_registrar, alice,
                                                                   entry):
    response = _client(acsm_registrar).post(
        f"/staff/credits/{entry.pk}/correct/",
        _entry_data(entry, amount="8", reason="Certificate shows 8 CECs"))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.amount == Decimal("8") and entry.source == CreditEntry.STAFF
    row = History.objects.of(entry).get(action="correct")
    assert row.actor == acsm_registrar
    assert row.changes["amount"] == ["10", "8"]
    assert row.changes["reason"] == [None, "Certificate shows 8 CECs"]
    page = _client(alice.user).get(f"/credits/{entry.pk}/").content.decode()
    assert "Staff changed this entry: Certificate shows 8 CECs" in page
    # The professional may no longer change the corrected facts.
    assert "cannot be changed" in _client(alice.user).post(
        f"/credits/{entry.pk}/edit/", _entry_data(entry, amount="12")).content.decode()


def test_a_correction_needs_a_reason_and_a_change(acsm_registrar, entry):
    client = _client(acsm_registrar)
    response = client.post(f"/staff/credits/{entry.pk}/correct/",
                           _entry_data(entry, amount="8", reason="   "))
    assert response.status_code == 400
    assert "Enter the reason" in response.content.decode()
    response = client.post(f"/staff/credits/{entry.pk}/correct/",
                           _entry_data(entry, reason="no change"))
    assert response.status_code == 400 and "Nothing was changed" in response.content.decode()
    response = client.post(f"/staff/credits/{entry.pk}/correct/",
                           _entry_data(entry, amount="-1", earned_on="2026-13-01",
                                       reason="x"))
    body = response.content.decode()
    assert response.status_code == 400 and "Enter a date as MM/DD/YYYY." in body
    assert "cannot be negative" in body
    entry.refresh_from_db()
    assert entry.amount == Decimal("10") and entry.source == CreditEntry.SELF_REPORTED


def test_registrar_adds_a_credit(acsm_registrar, alice, alice_cpt):
    response = _client(acsm_registrar).post(
        f"/staff/professionals/{alice.pk}/credits/add/",
        {**_entry_data(CreditEntry(earned_on=date(2026, 3, 1), title="Workshop on file",
                                   format="workshop", amount=Decimal("4"), unit="cec",
                                   awarded_by="ACSM", credit_type="cec")),
         "reason": "Reported by phone with certificate"})
    assert response.status_code == 302
    entry = CreditEntry.objects.get(professional=alice, title="Workshop on file")
    assert entry.source == CreditEntry.STAFF
    assert entry.staff_reason == "Reported by phone with certificate"
    assert History.objects.of(entry).get(action="create").actor == acsm_registrar


def test_registrar_removes_a_credit_with_a_reason(acsm_registrar, alice, entry):
    client = _client(acsm_registrar)
    assert client.post(f"/staff/credits/{entry.pk}/remove/",
                       {"reason": ""}).status_code == 400
    response = client.post(f"/staff/credits/{entry.pk}/remove/",
                           {"reason": "Duplicate of the March entry"})
    assert response.status_code == 302
    assert CreditEntry.all_objects.get(pk=entry.pk).deleted_at is not None
    row = History.objects.of(entry).get(action="delete")
    assert row.changes["reason"] == [None, "Duplicate of the March entry"]
    owner = _client(alice.user)
    listing = owner.get("/credits/").content.decode()
    assert "Staff removed 1 entry" in listing and entry.title in listing
    detail = owner.get(f"/credits/{entry.pk}/").content.decode()
    assert "Removed by staff on" in detail and "Duplicate of the March entry" in detail
    assert f"/credits/{entry.pk}/edit/" not in detail
    # Another professional still gets a 404 for it.
    assert _client(None).get(f"/credits/{entry.pk}/").status_code == 302


def test_own_deleted_entries_stay_gone(alice, alice_cpt):
    mine = log(alice, date(2026, 2, 1), "1", "ACSM")
    client = _client(alice.user)
    client.post(f"/credits/{mine.pk}/delete/")
    assert CreditEntry.all_objects.get(pk=mine.pk).deleted_at is not None
    assert client.get(f"/credits/{mine.pk}/").status_code == 404
    assert "Staff removed" not in client.get("/credits/").content.decode()


def test_registrar_corrects_certification_dates(acsm_registrar, alice, alice_cpt):
    client = _client(acsm_registrar)
    response = client.post(f"/staff/certifications/{alice_cpt.pk}/dates/", {
        "certified_on": "2025-03-01", "cycle_start": "2025-03-01",
        "cycle_end": "2028-12-31", "reason": "Body's file says March 1"})
    assert response.status_code == 302
    alice_cpt.refresh_from_db()
    assert alice_cpt.certified_on == date(2025, 3, 1)
    cycle = Cycle.objects.get(certification=alice_cpt, closed_at__isnull=True)
    assert cycle.start == date(2025, 3, 1)
    row = History.objects.of(alice_cpt).get(action="correct")
    assert row.changes["certified_on"] == ["2025-03-15", "2025-03-01"]
    assert row.changes["cycle"] == [["2025-03-15", "2028-12-31"], ["2025-03-01", "2028-12-31"]]
    page = _client(alice.user).get(f"/certifications/{alice_cpt.pk}/").content.decode()
    assert "Staff corrected this certification on" in page
    assert "Body&#x27;s file says March 1" in page


def test_certification_dates_bad_input(acsm_registrar, alice_cpt):
    client = _client(acsm_registrar)
    url = f"/staff/certifications/{alice_cpt.pk}/dates/"
    response = client.post(url, {"certified_on": "2025-03-15", "cycle_start": "2029-01-01",
                                 "cycle_end": "2028-12-31", "reason": "x"})
    assert response.status_code == 400 and "cannot end" in response.content.decode()
    response = client.post(url, {"certified_on": "", "reason": ""})
    body = response.content.decode()
    assert "Enter the date certified." in body and "Enter the reason" in body
    response = client.post(url, {"certified_on": "2025-03-15", "cycle_start": "2025-03-15",
                                 "cycle_end": "2028-12-31", "reason": "nothing"})
    assert response.status_code == 400 and "Nothing was changed" in response.content.decode()
    assert not History.objects.of(alice_cpt).filter(action="correct").exists()


def _pages(alice, certification, entry):
    return [f"/staff/professionals/{alice.pk}/credits/add/",
            f"/staff/credits/{entry.pk}/correct/", f"/staff/credits/{entry.pk}/remove/",
            f"/staff/certifications/{certification.pk}/dates/"]


def test_every_page_and_action_refuses_who_may_not(refusers, alice, alice_cpt, entry):
    expected = {"other body": 404, "without the role": 403, "professional": 403}
    before = History.objects.count()
    for url in _pages(alice, alice_cpt, entry):
        for who, user in refusers.items():
            client = _client(user)
            for response in (client.get(url), client.post(url, {"reason": "r",
                                                                "certified_on": "2020-01-01",
                                                                "amount": "1"})):
                if user is None:
                    assert response.status_code == 302 and "/login/" in response.url
                else:
                    assert response.status_code == expected[who], (url, who)
    assert History.objects.count() == before
    assert Certification.objects.get(pk=alice_cpt.pk).certified_on == date(2025, 3, 15)


def test_the_page_links_corrections_for_registrars_only(acsm_registrar, acsm_viewer, alice,
                                                        entry, alice_cpt):
    page = _client(acsm_registrar).get(f"/staff/professionals/{alice.pk}/").content.decode()
    assert f"/staff/credits/{entry.pk}/correct/" in page
    assert f"/staff/certifications/{alice_cpt.pk}/dates/" in page
    assert f"/staff/professionals/{alice.pk}/credits/add/" in page
    page = _client(acsm_viewer).get(f"/staff/professionals/{alice.pk}/").content.decode()
    assert "/correct/" not in page and "/dates/" not in page and "/credits/add/" not in page
