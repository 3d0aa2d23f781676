"""CSRF on every POST (issue 11, "A standing security suite"): every URL of the URL
configuration, posted to without a CSRF token by a signed-in professional with the client
enforcing CSRF checks, is refused, except four kinds that cannot carry a token and check
something else instead or need nothing, each proven below:

- the API (`api-v1:*`): a bearer token in the Authorization header, which a browser never
  adds by itself; a session cookie alone still needs the CSRF token there;
- the Stripe webhook: Stripe's signature of the body;
- one-click unsubscribe (RFC 8058): the signed token in the address;
- the badge check for programs (/verify/badge.json): it writes nothing and reads no session,
  so a forged request learns only what the badge it sends already says.
"""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client

from tests.factories import stripe_signature
from tests.security.urlmap import Route, fill, routes

ALLOWED = {"renewals:stripe_webhook": "the Stripe signature",
           "email_unsubscribe": "the signed token in the address",
           "verify_badge_json": "nothing: it reads a badge, writes nothing, uses no session"}
API = "api-v1"


def allowlisted(route: Route) -> bool:
    return route.name in ALLOWED or (route.name or "").startswith(API + ":")


def _csrf_refused(response) -> bool:
    return response.status_code == 403 and b"CSRF" in response.content


def _client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["alice", "sam", "anonymous"])
def test_every_post_without_a_token_is_refused(world, who):
    client = _client({"alice": world.alice.user, "sam": world.sam, "anonymous": None}[who])
    accepted = []
    for route in routes():
        url = fill(route, world)
        response = client.post(url, {"title": "x", "password": "x"})
        if not _csrf_refused(response) and not allowlisted(route):
            accepted.append(f"{route} → {response.status_code}")
    assert accepted == [], "POST without a CSRF token was not refused"


def test_the_allowlist_is_what_the_code_exempts(world):
    """Only the allowlisted views are exempt from Django's CSRF check (the API's own check
    for session callers is proven below)."""
    exempt = {r.name for r in routes() if getattr(r.pattern.callback, "csrf_exempt", False)
              and not (r.name or "").startswith(API + ":")}
    assert exempt <= set(ALLOWED), exempt - set(ALLOWED)
    names = {r.name for r in routes()}
    assert set(ALLOWED) <= names  # an allowlisted URL that went away is noticed


def test_api_calls_need_a_bearer_token_or_the_csrf_token(world):
    alice = world.alice.user
    body = json.dumps({"earned_on": "2026-01-05", "format": "course", "amount": "1",
                       "organization": "ACSM", "title": "By the API"})
    session = _client(alice)
    refused = session.post("/api/v1/credits", body, content_type="application/json")
    assert refused.status_code in (401, 403), refused.content
    anonymous = _client()
    assert anonymous.post("/api/v1/credits", body,
                          content_type="application/json").status_code == 401
    wrong = anonymous.post("/api/v1/credits", body, content_type="application/json",
                           headers={"Authorization": "Bearer rct_not-a-token"})
    assert wrong.status_code == 401
    # With the session's CSRF token (a page's script) or a real bearer token: accepted.
    session.get("/settings/")
    token = session.cookies["csrftoken"].value
    assert session.post("/api/v1/credits", body, content_type="application/json",
                        headers={"X-CSRFToken": token}).status_code == 201
    bearer = anonymous.post("/api/v1/credits", body, content_type="application/json",
                            headers={"Authorization": f"Bearer {world.extra['access_raw']}"})
    assert bearer.status_code == 201, bearer.content


def test_the_stripe_webhook_checks_the_signature(world, settings):
    from recert.renewals.models import Invoice

    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_csrf"
    payload = json.dumps({"id": "evt_csrf", "type": "checkout.session.completed",
                          "data": {"object": {"id": "cs_x", "metadata": {
                              "invoice": world.invoice.number}}}}).encode()
    client = _client()
    before = Invoice.objects.get(pk=world.invoice.pk).status
    for signature in ("", "t=1,v1=00", stripe_signature(payload, "whsec_wrong"),
                      stripe_signature(payload, "whsec_test_csrf", int(time.time()) - 3600)):
        response = client.post("/payments/stripe/webhook/", payload,
                               content_type="application/json",
                               headers={"Stripe-Signature": signature})
        assert response.status_code == 400, signature
    assert Invoice.objects.get(pk=world.invoice.pk).status == before
    signed = client.post("/payments/stripe/webhook/", payload,
                         content_type="application/json",
                         headers={"Stripe-Signature": stripe_signature(payload,
                                                                        "whsec_test_csrf")})
    assert signed.status_code == 200


def test_one_click_unsubscribe_checks_the_signed_token(world):
    from recert.core.mail import unsubscribe_token

    alice = world.alice
    client = _client()
    good = unsubscribe_token(alice.user)
    for token in ("no-such-token", good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
                  unsubscribe_token(world.bob.user).replace(":", ";")):
        response = client.post(f"/email/unsubscribe/{token}/",
                               {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 404, token
    alice.refresh_from_db()
    assert alice.optional_reminders
    response = client.post(f"/email/unsubscribe/{good}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    alice.refresh_from_db()
    assert not alice.optional_reminders


def test_the_badge_check_writes_nothing_and_ignores_the_session(world):
    from recert.core.models import History

    client = _client(world.alice.user)
    before = History.objects.count()
    response = client.post("/verify/badge.json", "a.b.c", content_type="text/plain")
    assert response.status_code == 200 and response.json()["outcome"] == "malformed"
    assert History.objects.count() == before
    assert "sessionid" not in response.cookies
