"""In Chromium: a professional creates an API token on the settings page and a program uses
it; the API docs page runs Swagger UI from the site's own files (no request leaves the site);
a page script calls the API with the session and CSRF token; the settings and verification
pages pass axe (issue 15)."""

import pytest

from tests.browser.axe_check import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(user.raw_password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def test_token_docs_and_session_calls(page, live_server, alice, alice_cpt):
    base = live_server.url
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    _log_in(page, base, alice.user)

    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Token name").fill("my spreadsheet")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Create token").click()
    raw = page.get_by_label("Token", exact=True).input_value()
    assert raw.startswith("rct_")
    assert_accessible(page)
    me = page.request.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert me.status == 200 and me.json()["auth"]["token_name"] == "my spreadsheet"

    page.goto(f"{base}/api/v1/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Recert API" in page.locator(".swagger-ui .info .title").inner_text()
    page.get_by_text("/api/v1/credits/preview").first.wait_for()
    outside = [url for url in requested if not url.startswith(base)
               and not url.startswith("data:")]
    assert outside == []

    # A page's own script: the session and the CSRF token, no API token.
    body = {"earned_on": "2026-01-05", "format": "course", "amount": "1.5",
            "organization": "ACSM", "title": "From the page"}
    status = page.evaluate("""async (body) => {
        const csrf = document.body.dataset.csrfToken;
        const response = await fetch('/api/v1/credits', {method: 'POST',
            headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
            body: JSON.stringify(body)});
        return response.status;
    }""", body)
    assert status == 201


def test_the_verification_page_is_accessible(page, live_server, alice, alice_cpt, settings):
    settings.VERIFY_MIN_SECONDS = 0
    page.goto(f"{live_server.url}/verify/")
    page.get_by_label("Member ID").fill("AC-0000")
    page.get_by_label("Family name").fill("Archer")
    page.get_by_role("button", name="Verify").click()
    page.locator("#result p").wait_for()
    assert "No certification matches" in page.locator("#result").inner_text()
    assert_accessible(page)
