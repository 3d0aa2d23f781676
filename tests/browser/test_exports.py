"""In Chromium: download the .xlsx, open the print view, subscribe to the calendar."""

from __future__ import annotations

import io
import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from recert.core.actions.credits import do_create_credit_entry
from tests.browser.axe_check import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("RECERT_SCREENSHOTS", "data/screenshots"))


def log_in(page, live_server, professional):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(professional.user.username)
    page.get_by_label("Password").fill(professional.user.raw_password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


@pytest.fixture
def alice_credits(alice, alice_cpt):
    # Dates inside alice_cpt's first cycle (2025-03-15 to 2028-12-31) whatever today is.
    do_create_credit_entry(alice, actor=alice.user, earned_on=date(2025, 6, 10),
                           title="Kettlebell Workshop", format="workshop", amount=Decimal("5"),
                           unit="hour", provider="Iron Works")
    do_create_credit_entry(alice, actor=alice.user, earned_on=date(2025, 9, 3),
                           title="Strength Summit", format="conference", amount=Decimal("1.5"),
                           unit="ceu", awarded_by="NASM", provider="NASM")


def test_download_the_xlsx_and_print_the_record(page, live_server, alice, alice_cpt,
                                                alice_credits):
    log_in(page, live_server, alice)
    page.get_by_role("link", name="Transcript").click()
    page.wait_for_url("**/transcript/")
    assert page.get_by_role("heading", level=1).inner_text() == "Transcript"
    assert_accessible(page)

    link = page.get_by_role("region", name="All credits").get_by_role(
        "link", name="Excel spreadsheet (.xlsx)")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith("recert-transcript-alice-archer-all-")
    assert download.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert book.sheetnames == ["All entries", "ACSM CPT"]
    rows = list(book["All entries"].iter_rows(min_row=2, values_only=True))
    assert [r[2] for r in rows] == ["Kettlebell Workshop", "Strength Summit"]
    assert rows[1][0] == datetime(2025, 9, 3) and rows[1][6] == 1.5
    counted = {r[2]: r[-3] for r in book["ACSM CPT"].iter_rows(min_row=7, values_only=True)}
    assert counted == {"Kettlebell Workshop": 5, "Strength Summit": 15}

    page.get_by_role("region", name="All credits").get_by_role(
        "link", name="Print your record").click()
    page.wait_for_url("**/transcript/all/print/")
    assert "Alice Archer" in page.get_by_role("heading", level=1).inner_text()
    section = page.get_by_role("region", name="ACSM Certified Personal Trainer")
    assert "12/31/2028" in section.inner_text()
    assert "ACSM-CONV-DECIMAL" in section.inner_text()
    assert page.get_by_role("button", name="Print").is_visible()
    assert_accessible(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "transcript-print-screen.png"), full_page=True)
    page.emulate_media(media="print")
    # On paper: no site navigation, no tools.
    assert not page.get_by_role("navigation", name="Main").is_visible()
    assert not page.get_by_role("button", name="Print").is_visible()
    page.screenshot(path=str(SHOTS / "transcript-print-paper.png"), full_page=True)

    response = page.request.get(f"{live_server.url}/transcript/all.pdf")
    assert response.ok and response.body().startswith(b"%PDF")


def test_calendar_page_and_feed(page, live_server, alice, alice_cpt):
    log_in(page, live_server, alice)
    page.get_by_role("link", name="Calendar").click()
    page.wait_for_url("**/calendar/")
    assert_accessible(page)
    url = page.get_by_label("Your private calendar address").input_value()
    assert url.startswith(live_server.url + "/calendar/") and url.endswith(".ics")
    feed = page.request.get(url)
    assert feed.ok and b"BEGIN:VCALENDAR" in feed.body()
    assert b"20281231" in feed.body()

    page.get_by_role("button", name="Make a new private address").click()
    page.wait_for_url("**/calendar/")
    assert page.get_by_role("status").is_visible()
    new_url = page.get_by_label("Your private calendar address").input_value()
    assert new_url != url
    assert page.request.get(url).status == 404
    assert page.request.get(new_url).ok


def test_bob_sees_none_of_alice(page, live_server, bob, alice, alice_cpt, alice_credits):
    log_in(page, live_server, bob)
    page.goto(f"{live_server.url}/transcript/all/print/")
    assert "Bob Brown" in page.get_by_role("heading", level=1).inner_text()
    assert "Kettlebell" not in page.content() and "Alice" not in page.content()
