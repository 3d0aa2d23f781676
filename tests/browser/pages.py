"""The pages each kind of user reaches, generated from the URL configuration (not a test module).

`pages(world, who)` walks `tests.security.urlmap.routes()`, fills every id with the world's
objects and keeps the URLs that answer that user 200 with an HTML page (downloads, POST-only
actions and redirects drop out by themselves). A page added to the URL configuration later is
in the list without touching the browser tests.
"""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from tests.security.urlmap import World, fill, routes

# CSP violations reach the page as `securitypolicyviolation` events; collected per document.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"}` +
                              ` at ${e.sourceFile || ""}:${e.lineNumber}`);
});
"""


def user_of(world: World, who: str):
    return {"alice": world.alice.user, "sam": world.sam, "tom": world.tom,
            "anonymous": None}[who]


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def pages(world: World, who: str, *, admin: bool = False) -> list[str]:
    """Every HTML page `who` reaches: the admin's (admin=True) or everything else."""
    client = client_for(user_of(world, who))
    found = []
    for route in routes():
        if route.is_admin != admin:
            continue
        url = fill(route, world)
        response = client.get(url)
        if response.status_code == 200 and response.get("Content-Type", "").startswith(
                "text/html") and not response.get("Content-Disposition"):
            found.append(url)
    return sorted(set(found))


def signed_in(browser, live_server, user, **options):
    """A browser context carrying `user`'s session cookie (anonymous when user is None)."""
    context = browser.new_context(**options)
    if user is not None:
        client = client_for(user)
        name = settings.SESSION_COOKIE_NAME
        context.add_cookies([{"name": name, "value": client.cookies[name].value,
                              "url": live_server.url}])
    return context


def authenticator(user):
    """A confirmed authenticator of `user` (made if missing), for staff log-ins in Chromium."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return (TOTPDevice.objects.filter(user=user, confirmed=True).first()
            or TOTPDevice.objects.create(user=user, name="Browser test", confirmed=True))


def type_second_factor(page, device) -> None:
    """The second step of a staff log-in (issue 11 item 6): the code the app would show."""
    import re

    from django_otp.oath import totp

    page.wait_for_url(re.compile(r"/accounts/second-factor/"))
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label("Code").fill(f"{code:06d}")
    page.get_by_role("button", name="Continue").click()
