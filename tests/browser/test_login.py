"""A professional logs in through the real form in Chromium and sees their dashboard."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_and_see_dashboard(page, live_server, alice, alice_cpt):
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(alice.user.raw_password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Alice Archer"
    row = page.locator(f'section[data-certification="{alice_cpt.pk}"]')
    assert "Personal Trainer" in row.inner_text()
    assert "45" in row.inner_text()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")


def test_wrong_password_shows_an_error(page, live_server, alice):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("not-her-password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").is_visible()
