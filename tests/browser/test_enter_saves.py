"""Pressing Enter in the report form saves the entry (issue 10: the first submit button
used to be "Look up course", which saved nothing)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from playwright.sync_api import expect

from tests.browser.axe_check import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def frozen(settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    with time_machine.travel(date(2026, 6, 1), tick=True):
        yield


def test_enter_in_the_report_form_saves(page, live_server, alice, alice_cpt, frozen):
    from recert.core.models import CreditEntry

    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(alice.user.raw_password)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{base}/credits/report/")
    page.get_by_label("Date earned").fill("2026-03-14")
    page.get_by_label("Format").select_option(label="Workshop")
    page.get_by_label("Number of credits").fill("8")
    page.get_by_label("Unit:", exact=True).select_option(label="Contact hours")
    page.get_by_label("Provider / organization").select_option(
        label="NASM — National Academy of Sports Medicine")
    page.get_by_label("Course name").fill("Kettlebell Basics")
    page.get_by_label("Course name").press("Enter")
    expect(page.get_by_role("heading", level=2, name="How it counts")).to_be_visible()
    entry = CreditEntry.objects.get()
    assert (entry.title, entry.awarded_by) == ("Kettlebell Basics", "NASM")
    assert_accessible(page)
