"""No page reports a Content-Security-Policy violation in Chromium (issue 11, item 7).

The policy (settings.CONTENT_SECURITY_POLICY) allows scripts and styles from our static files
only: an inline <script>, an `onclick=` or a `style=` attribute added to any template shows up
here as a violation. The pages are every HTML page the URL configuration gives a professional
(alice, with a credit, a document, a renewal and an invoice), an anonymous visitor and staff
(sam, in the admin), so a page added later is checked too.
"""

from __future__ import annotations

import pytest

from tests.browser.pages import COLLECT_VIOLATIONS, pages, signed_in, user_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_policy_is_strict(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
    assert directives["form-action"].startswith("'self'")
    assert "unsafe" not in policy


def _violations(browser, live_server, world, who: str, admin: bool) -> list[str]:
    urls = pages(world, who, admin=admin)
    assert urls, f"no page found for {who}"
    context = signed_in(browser, live_server, user_of(world, who))
    context.add_init_script(COLLECT_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(15_000)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text)
            if "Content Security Policy" in m.text else None)
    found = []
    try:
        for url in urls:
            console.clear()
            response = page.goto(live_server.url + url, wait_until="load")
            assert response is not None and response.ok, url
            assert "Content-Security-Policy" in {k.title() for k in response.headers}, url
            events = page.evaluate("window.__cspViolations")
            found += [f"{url}: {v}" for v in events + console]
    finally:
        context.close()
    return found


@pytest.mark.parametrize("who,admin", [("alice", False), ("anonymous", False), ("sam", True)])
def test_no_page_reports_a_violation(browser, live_server, world, who, admin):
    assert _violations(browser, live_server, world, who, admin) == []


def test_a_violation_is_caught(browser, live_server, world):
    """The check itself: an inline style and an inline script slipped into the dashboard."""
    context = signed_in(browser, live_server, world.alice.user)
    context.add_init_script(COLLECT_VIOLATIONS)
    page = context.new_page()

    def tamper(route):
        response = route.fetch()
        body = response.text().replace(
            "</main>", '<p style="color: red">x</p><script>document.title = "x"</script></main>')
        route.fulfill(response=response, body=body)

    page.route(live_server.url + "/", tamper)
    page.goto(live_server.url + "/")
    found = page.evaluate("window.__cspViolations")
    context.close()
    assert any(v.startswith("style-src-attr") for v in found), found
    assert any(v.startswith("script-src-elem") for v in found), found
