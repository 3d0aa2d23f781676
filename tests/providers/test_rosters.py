"""Completion rosters (issue 14): every matching case, one credit per person and course
(ACE-SAME-1, ACSM-SAME-1), merging a self-report, corrections and withdrawals with history,
background matching of large files, bad input, and who may see what."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from recert.core.actions.credits import EntryConfirmed, do_update_credit_entry
from recert.core.actions.professionals import do_set_member_id
from recert.core.models import CreditEntry, History
from recert.providers import rosters
from recert.providers.actions import (
    do_correct_roster_row,
    do_upload_roster,
    do_withdraw_roster_row,
)
from recert.providers.models import Roster, RosterRow
from tests.factories import log

pytestmark = pytest.mark.django_db

HEADER = "member id,email,name,completion date,cecs\n"


@pytest.fixture
def verified(monkeypatch):
    """Addresses verified so far (the auth helper's stand-in): {user id: address}."""
    addresses: dict[int, str] = {}
    monkeypatch.setattr(rosters, "verified_email", lambda user: addresses.get(user.pk))
    return addresses


@pytest.fixture
def members(alice, bob, bodies):
    do_set_member_id(alice, bodies["ACE"], "ACE1001", actor=None)
    do_set_member_id(bob, bodies["ACE"], "ACE2002", actor=None)


def csv_file(text: str, name: str = "roster.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + text).encode())


def upload(course, text, pat, **kwargs):
    return do_upload_roster(course, csv_file(text, **kwargs), actor=pat,
                            today=date(2026, 12, 1))


def rows(roster):
    return {r.line: r for r in roster.rows.all()}


def test_a_member_id_match_puts_a_confirmed_provider_credit_in_the_log(
        ace_course, pat, alice, members, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        roster = upload(ace_course, "ACE1001,,Alice Archer,11/20/2026,\n", pat)
    row = rows(roster)[2]
    assert row.state == RosterRow.CREDITED and row.professional == alice
    entry = row.credit_entry
    assert (entry.source, entry.provider, entry.course_number, entry.amount,
            entry.awarded_by, entry.earned_on) == (
        CreditEntry.PROVIDER, "Fit Ed", "CA54321", Decimal("0.8"), "ACE", date(2026, 11, 20))
    assert "reported by the provider (Fit Ed)" in entry.confirmation()
    # Confirmed: the professional may not change its facts.
    with pytest.raises(EntryConfirmed):
        do_update_credit_entry(entry, actor=alice.user, amount=Decimal("5"))
    assert mail.outbox[-1].to == ["alice@example.com"]
    assert "Kettlebell Flow" in mail.outbox[-1].subject
    assert History.objects.of(row).get().action == History.Action.REPORT_COMPLETION


def test_a_verified_email_matches_an_unverified_one_never(ace_course, pat, alice, verified):
    roster = upload(ace_course, ",alice@example.com,Alice,2026-11-20,0.5\n", pat)
    row = rows(roster)[2]
    assert row.state == RosterRow.HELD and "offered to them once they do" in row.note
    verified[alice.user.pk] = "alice@example.com"
    roster = upload(ace_course, ",ALICE@example.com,Alice,2026-11-20,0.5\n", pat)
    row = rows(roster)[2]
    assert row.state == RosterRow.CREDITED and row.credit_entry.amount == Decimal("0.5")


def test_a_member_id_and_an_email_of_different_people_are_held(
        ace_course, pat, alice, bob, members, verified):
    verified[bob.user.pk] = "bob@example.com"
    roster = upload(ace_course, "ACE1001,bob@example.com,Alice,2026-11-20,\n"
                                "ACE1001,alice@example.com,Alice,2026-11-20,\n", pat)
    held, fine = rows(roster)[2], rows(roster)[3]
    assert held.state == RosterRow.HELD and "different people" in held.note
    # An address nobody verified does not contradict the member ID.
    assert fine.state == RosterRow.CREDITED and fine.professional == alice


def test_rows_that_match_no_one_are_held_and_shown_to_the_provider(
        client, ace_course, pat, members):
    roster = upload(ace_course, "ACE9999,,Nobody,2026-11-20,\n,x@example.com,X,2026-11-20,\n",
                    pat)
    assert {r.state for r in roster.rows.all()} == {RosterRow.HELD}
    assert not CreditEntry.objects.exists()
    client.force_login(pat)
    page = client.get(f"/provider/rosters/{roster.pk}/").content.decode()
    assert "no one holds ACE member ID ACE9999" in page and "x@example.com" in page


def test_the_same_person_twice_in_one_file_and_a_second_upload_make_one_credit(
        ace_course, pat, alice, members):
    text = "ACE1001,,Alice,2026-11-20,\nACE1001,,Alice,2026-11-21,\n"
    first = upload(ace_course, text, pat)
    second = upload(ace_course, text, pat)
    assert CreditEntry.objects.filter(professional=alice).count() == 1
    entry = CreditEntry.objects.get(professional=alice)
    assert rows(first)[3].credit_entry == entry and "already credited" in rows(first)[3].note
    assert all(r.credit_entry == entry and "already credited" in r.note
               for r in second.rows.all())


def test_a_self_reported_same_course_is_merged_not_counted_twice(
        ace_course, pat, alice, members, alice_cpt):
    own = log(alice, date(2026, 11, 20), "0.8", "ACE")
    own.course_number, own.title = "ca54321", "My kettlebell day"
    own.save()
    roster = upload(ace_course, "ACE1001,,Alice,2026-11-20,\n", pat)
    row = rows(roster)[2]
    assert row.credit_entry == own
    assert CreditEntry.objects.filter(professional=alice).count() == 1
    own.refresh_from_db()
    assert own.source == CreditEntry.PROVIDER and own.provider == "Fit Ed"
    # Withdrawn: the professional's own report comes back as it was.
    do_withdraw_roster_row(row, actor=pat, reason="Wrong class list.")
    own.refresh_from_db()
    assert own.source == CreditEntry.SELF_REPORTED and own.deleted_at is None
    assert own.course_number == "ca54321"


def test_a_same_title_and_provider_without_numbers_is_the_same_course(
        ace_course, pat, alice, members):
    own = log(alice, date(2026, 11, 20), "8", "OTHER", unit="hour")
    own.title, own.provider = "kettlebell flow!", "FIT ED"
    own.save()
    upload(ace_course, "ACE1001,,Alice,2026-11-20,\n", pat)
    assert CreditEntry.objects.filter(professional=alice).count() == 1


def test_a_provider_corrects_and_withdraws_rows_with_history(ace_course, pat, alice, members):
    roster = upload(ace_course, "ACE1010,,Alice,2026-11-20,\nACE1001,,Alice,2026-11-20,\n", pat)
    held, credited = rows(roster)[2], rows(roster)[3]
    do_withdraw_roster_row(credited, actor=pat, reason="She did not attend.")
    entry = CreditEntry.all_objects.get(professional=alice)
    assert entry.deleted_at is not None
    do_correct_roster_row(held, actor=pat, reason="Typo in the member ID",
                          member_id="ACE1001", email="", name="Alice",
                          completed_on=date(2026, 11, 20), credits=None,
                          today=date(2026, 12, 1))
    held.refresh_from_db()
    assert held.state == RosterRow.CREDITED
    assert [h.action for h in History.objects.of(held)] == [
        "report_completion", "update", "report_completion"]
    assert History.objects.of(held).filter(action="update").get().changes["member_id"] == [
        "ACE1010", "ACE1001"]
    with pytest.raises(Exception, match="future"):
        do_correct_roster_row(held, actor=pat, reason="x", completed_on=date(2027, 1, 1),
                              today=date(2026, 12, 1))


def test_a_held_row_is_offered_to_the_professional_once_they_verify_the_address(
        client, ace_course, pat, alice, bob, verified):
    roster = upload(ace_course, ",alice@example.com,Alice,2026-11-20,\n", pat)
    row = rows(roster)[2]
    client.force_login(alice.user)
    assert "Kettlebell Flow" not in client.get("/completions/").content.decode()
    assert client.post(f"/completions/{row.pk}/claim/").status_code == 404
    verified[alice.user.pk] = "alice@example.com"
    assert "Kettlebell Flow" in client.get("/completions/").content.decode()
    client.force_login(bob.user)  # bob's verified address is not alice's
    verified[bob.user.pk] = "bob@example.com"
    assert client.post(f"/completions/{row.pk}/claim/").status_code == 404
    client.force_login(alice.user)
    assert client.post(f"/completions/{row.pk}/claim/").status_code == 302
    row.refresh_from_db()
    assert row.state == RosterRow.CREDITED and row.credit_entry.professional == alice
    page = client.get("/credits/").content.decode()
    assert "Kettlebell Flow" in page


def test_a_large_roster_is_matched_in_the_background(
        ace_course, pat, alice, members, django_capture_on_commit_callbacks):
    text = "ACE1001,,Alice,2026-11-20,\n" + "".join(
        f"ACE9{n:03},,Someone {n},2026-11-20,\n" for n in range(150))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        roster = upload(ace_course, text, pat)
    assert roster.status == Roster.QUEUED
    assert RosterRow.objects.filter(roster=roster, state=RosterRow.PENDING).count() == 151
    for callback in callbacks:
        callback()  # the process_roster task, run as the worker would
    roster.refresh_from_db()
    assert roster.status == Roster.DONE
    assert rows(roster)[2].state == RosterRow.CREDITED
    assert RosterRow.objects.filter(roster=roster, state=RosterRow.HELD).count() == 150


def test_an_xlsx_roster_with_date_cells(ace_course, pat, alice, members):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Member ID", "E-mail", "Name", "Completion date", "CECs"])
    sheet.append(["ACE1001", None, "Alice", date(2026, 11, 20), 0.8])
    data = io.BytesIO()
    book.save(data)
    roster = do_upload_roster(ace_course, SimpleUploadedFile("r.xlsx", data.getvalue()),
                              actor=pat, today=date(2026, 12, 1))
    assert rows(roster)[2].state == RosterRow.CREDITED


@pytest.mark.parametrize("content, words", [
    ("member id,email,name,completion date,grade\n", "Column 5 “grade” is not a roster column"),
    ("member id,name\nACE1001,Alice\n", "needs a completion date column"),
    (HEADER + "ACE1001,,Alice,01/05/2027,\n",
     "Row 2: completion date: 01/05/2027 is in the future"),
    (HEADER + "ACE1001,,Alice,yesterday,\n", "“yesterday” is not a date"),
    (HEADER + "ACE1001,,=HYPERLINK(\"http://x\"),2026-11-20,\n", "name starts with “=”"),
    (HEADER + "@SUM(A1),,Alice,2026-11-20,\n", "member id starts with “@”"),
    (HEADER + "ACE1001,not-an-address,Alice,2026-11-20,\n", "is not an e-mail address"),
    (HEADER + "ACE1001,,Alice,2026-11-20,-1\n", "is not a number of credits above 0"),
    ("member id,completion date,course number\nACE1001,2026-11-20,XX12\n",
     "course number “XX12” is not in the ACE format"),
    ("member id,completion date,course number\nACE1001,2026-11-20,CA11111\n",
     "is not this course"),
])
def test_bad_rosters_are_refused_naming_the_column_or_row(client, ace_course, pat, members,
                                                          content, words):
    client.force_login(pat)
    response = client.post(f"/provider/courses/{ace_course.pk}/rosters/new/", {
        "file": SimpleUploadedFile("bad.csv", content.encode())})
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not Roster.objects.exists() and not CreditEntry.objects.exists()


def test_a_20_mb_file_is_refused_with_its_size(client, ace_course, pat):
    client.force_login(pat)
    big = SimpleUploadedFile("big.csv", HEADER.encode() + b"x" * (20 * 1024 * 1024))
    response = client.post(f"/provider/courses/{ace_course.pk}/rosters/new/", {"file": big})
    assert response.status_code == 400
    assert "The file is 20.0 MB; a roster may be at most 5 MB" in response.content.decode()


def test_another_provider_staff_of_a_body_or_a_professional_cannot_see_rosters(
        client, ace_course, pat, quinn, alice, bob, erin, members):
    roster = upload(ace_course, "ACE1001,,Alice,2026-11-20,\n", pat)
    row = rows(roster)[2]
    urls = [f"/provider/rosters/{roster.pk}/", f"/provider/roster-rows/{row.pk}/",
            f"/provider/courses/{ace_course.pk}/rosters/new/"]
    client.force_login(quinn)
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(f"/provider/roster-rows/{row.pk}/",
                       {"do": "withdraw", "reason": "mine now"}).status_code == 404
    for user in (alice.user, erin):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403
    client.logout()
    assert client.get(urls[0]).status_code == 302
    row.refresh_from_db()
    assert row.state == RosterRow.CREDITED
