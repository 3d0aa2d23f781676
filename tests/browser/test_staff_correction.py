"""A registrar finds a professional in the staff console, corrects a credit with a reason,
and the professional sees the correction and the reason on the entry (issue 12)."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from recert.core.models import CreditEntry
from tests.browser.pages import signed_in
from tests.factories import log
from tests.staff.people import make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_registrar_corrects_and_the_professional_sees_it(browser, live_server, alice,
                                                         alice_cpt):
    entry = log(alice, date(2026, 2, 1), "10", "ACSM", provider="Fit Inc")
    registrar = make_staff("reg", [("ACSM", "registrar")])

    staff = signed_in(browser, live_server, registrar)
    page = staff.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/staff/")
    page.get_by_label("Name, e-mail or member ID").fill("archer")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Alice Archer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alice Archer")
    page.get_by_role("link", name=f"Correct {entry.title}").click()
    page.get_by_label("Amount").fill("8")
    page.get_by_role("button", name="Save the correction").click()
    # The reason is required: the form says so at the field and nothing is saved.
    expect(page.locator("#wrap-reason .errors")).to_contain_text("Enter the reason")
    assert CreditEntry.objects.get(pk=entry.pk).amount == 10
    page.get_by_label("Reason for the correction").fill("Certificate shows 8 CECs")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_role("status")).to_contain_text(f"Corrected “{entry.title}”")
    expect(page.locator(f'tr[data-credit="{entry.pk}"]')).to_contain_text(
        "staff: Certificate shows 8 CECs")
    staff.close()

    own = signed_in(browser, live_server, alice.user)
    page = own.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/credits/{entry.pk}/")
    expect(page.locator("[data-staff-reason]")).to_have_text(
        "Staff changed this entry: Certificate shows 8 CECs")
    expect(page.locator(".facts")).to_contain_text("8 cec")
    expect(page.locator("ol.history")).to_contain_text("amount: 10 → 8")  # before and after
    expect(page.locator("ol.history")).to_contain_text("reason: Certificate shows 8 CECs")
    own.close()
