"""In Chromium: a provider uploads a roster and the professional sees the credit appear in
her log, confirmed by the provider (issue 14)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from recert.core.actions.professionals import do_set_member_id
from tests.browser.axe_check import assert_accessible
from tests.browser.pages import authenticator, type_second_factor
from tests.providers.conftest import (  # noqa: F401  (the providers' people and course)
    ace_course,
    bodies,
    erin,
    fit_ed,
    oscar,
    pat,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_roster_upload_puts_a_confirmed_credit_in_the_professionals_log(
        page, browser, live_server, ace_course, pat, alice, alice_cpt, bodies,  # noqa: F811
        tmp_path):
    do_set_member_id(alice, bodies["ACE"], "ACE1001", actor=None)
    base = live_server.url
    device = authenticator(pat)  # provider staff log in with a second factor
    log_in(page, base, "pat", pat.raw_password)
    page.goto(f"{base}/provider/")
    type_second_factor(page, device)
    page.goto(f"{base}/provider/")
    page.get_by_role("link", name="Kettlebell Flow").click()
    page.get_by_role("link", name="Upload a completion roster").click()
    roster = tmp_path / "november.csv"
    roster.write_text("member id,email,name,completion date\n"
                      "ACE1001,,Alice Archer,11/20/2026\nACE7777,,Nobody,11/20/2026\n")
    page.get_by_label("Completion roster (CSV or .xlsx)").set_input_files(str(roster))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", name="Roster november.csv")).to_be_visible()
    expect(page.get_by_text("no one holds ACE member ID ACE7777")).to_be_visible()
    expect(page.get_by_role("cell", name="credited: credited")).to_be_visible()
    assert_accessible(page)

    other = browser.new_context().new_page()
    log_in(other, base, "alice", alice.user.raw_password)
    other.goto(f"{base}/credits/")
    other.get_by_role("link", name="Kettlebell Flow").first.click()
    expect(other.locator("[data-confirmed]")).to_contain_text(
        "reported by the provider (Fit Ed)")
    expect(other.get_by_role("link", name="Edit name or add documents")).to_be_visible()
    other.context.close()
