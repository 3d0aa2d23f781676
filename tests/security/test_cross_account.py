"""The cross-account matrix (issue 11, "A standing security suite"): every URL of the URL
configuration whose path names an object (walked by `urlmap.routes()`, ids filled with
alice's objects) is requested by its owner, by another professional (bob), by staff of
another body (every role at the other of ACSM and ACE) and anonymously; alice's own pages
also by a professional who is staff of alice's body (a professional's page never widens to
what its reader may see as staff).

The owner must get the page (200 or a redirect that is not the log-in); everyone else a
404, a 403, a 401 (the API) or the log-in page, and none of alice's words. A URL whose owner
this file does not know fails `test_every_object_url_has_an_owner`, so a page added later
cannot be forgotten. Requests that write run inside a savepoint that is rolled back, so
every URL sees the same world. The admin (superusers only) is checked by
test_staff_permissions; capability URLs (a secret token in the path) by their own tests.
"""

from __future__ import annotations

from html import escape

import pytest
from django.db import transaction
from django.test import Client

from tests.security.urlmap import Route, World, fill, routes

# Parameters that choose how to show something (not whose it is).
NOT_OBJECTS = {"scope", "fmt", "key", "app_label", "url"}
# URLs whose secret token is the capability: whoever holds the link may use it, by design
# (tests: front/test_email_settings, exports/test_calendar, accounts/test_claim, Django's
# own password reset).
CAPABILITIES = {"email_unsubscribe", "exports:calendar_feed", "claim",
                "password_reset_confirm", "verify_email"}
# Public objects: the events search's calendar file of an approved course's event, and what
# verifiers of Open Badges fetch (keys, issuers, achievements, status lists). Everyone may
# open them; they must show nothing of alice's.
PUBLIC = {"event_ics", "badge_key", "badge_issuer", "badge_achievement", "badge_status_list"}
# Who owns the objects a URL names, by its namespace or its full name.
OWNERS: dict[str, str] = {
    # The professional's own pages and API.
    "renewals": "alice", "exports": "alice", "audits": "alice", "api-v1": "alice",
    "certification": "alice", "certification_cpr": "alice", "credit": "alice",
    "document": "alice", "document_remove": "alice", "credit_edit": "alice",
    "credit_delete": "alice", "credit_restore": "alice", "token_revoke": "alice",
    "claim_completion": "alice", "petition": "alice", "certification_badge": "alice",
    # The staff console and its education section: staff of the object's body (every
    # role): alice is certified by ACSM; her petition asks ACE.
    "staff": "ACSM staff", "education": "ACSM staff", "petitions": "ACE staff",
    # The provider console: a member of the provider of the world's course; so are the
    # API's provider routes (from the console's own scripts: the member's session).
    "providers": "provider",
    **{f"api-v1:{name}": "provider" for name in (
        "provider", "provider_courses", "provider_course", "provider_roster_create",
        "provider_rosters", "provider_roster")},
    # The API's staff routes, as the staff console (alice's ACSM record and audit case;
    # her petition asks ACE).
    **{f"api-v1:{name}": "ACSM staff" for name in (
        "staff_professional_detail", "staff_correction", "staff_audit_case_detail")},
    "api-v1:staff_petition_detail": "ACE staff",
}
REFUSED = {401, 403, 404}
# Ids of no object (to tell "refused because it is not yours" from "refused input").
MISSING = {"certification_id": "999999", "entry_id": "999999", "document_id": "999999",
           "number": "R999999", "token_id": "999999", "user_id": "999999",
           "professional_id": "999999", "attempt_id": "999999", "provider_id": "999999",
           "course_id": "999999", "event_id": "999999", "audit_id": "999999",
           "case_id": "999999", "item_id": "999999", "roster_id": "999999",
           "row_id": "999999", "body_code": "NOBODY", "merge_id": "999999"}
OWNER_GET = {200, 302}
# A professional with every staff role at alice's body: refused on alice's own pages too.
SAME_BODY_STAFF = "ACSM staff with a profile"
# A write with an empty form may be answered by the form's errors; it still found the object.
OWNER_WRITE = {200, 201, 204, 302, 303, 400, 409, 422}


def object_routes() -> list[Route]:
    """One route per path (the API lists a path once per operation) with an object id."""
    found: dict[str, Route] = {}
    for route in routes():
        if route.is_admin or route.name in CAPABILITIES:
            continue
        if set(route.params) - NOT_OBJECTS:
            found.setdefault(route.route, route)
    return list(found.values())


def owner_of(route: Route) -> str | None:
    name = route.name or ""
    if name in PUBLIC:
        return "public"
    if name in OWNERS:
        return OWNERS[name]
    return OWNERS.get(name.split(":")[0]) if ":" in name else None


def test_every_object_url_has_an_owner():
    missing = [f"{r}: add its name or namespace to OWNERS (or CAPABILITIES, PUBLIC) in {__name__}"
               for r in object_routes() if owner_of(r) is None]
    assert missing == []
    assert len(object_routes()) >= 40  # the walk found the URL configuration


@pytest.fixture
def people(world: World, django_user_model) -> dict[str, object]:
    from recert.core.actions.staff import do_grant_staff_role
    from recert.core.models import CertifyingBody, ProviderMembership
    from recert.staff.roles import ROLES

    def staff_of(code: str):
        user = django_user_model.objects.create_user(f"{code.lower()}-staff",
                                                     f"{code.lower()}@staff.example", "x")
        for role in ROLES:
            do_grant_staff_role(user, CertifyingBody.objects.get(code=code), role,
                                actor=None)
        return user

    from recert.accounts.actions import do_verify_email

    # What the world leaves out for the owner's URLs to open: the certificate offered for
    # the audit, and alice's address verified (her roster row is claimable only then).
    world.extra["audit_item"].documents.add(world.document)
    assert do_verify_email(world.alice.user, world.alice.user.email, actor=world.alice.user)
    member = django_user_model.objects.create_user("provider-member", "pm@example.com", "x")
    ProviderMembership.objects.create(user=member, provider=world.extra["course"].provider)
    from recert.core.actions.professionals import do_create_professional

    colleague = do_create_professional(username="carol", email="carol@example.com",
                                       full_name="Carol Clark", password="x", actor=None).user
    for role in ROLES:
        do_grant_staff_role(colleague, CertifyingBody.objects.get(code="ACSM"), role,
                            actor=None)
    return {"alice": world.alice.user, "ACSM staff": staff_of("ACSM"),
            SAME_BODY_STAFF: colleague,
            "ACE staff": staff_of("ACE"), "provider": member, "bob": world.bob.user,
            "anonymous": None}


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _rolled_back(client: Client, method: str, url: str):
    """The request's writes are undone, so the next URL sees the same world."""
    with transaction.atomic():
        response = getattr(client, method)(url)
        if hasattr(response, "streaming_content"):
            body = b"".join(response.streaming_content)
        else:
            body = response.content
        transaction.set_rollback(True)
    return response, body.decode(errors="replace")


def _method(client: Client, url: str) -> str:
    """GET, or what the URL allows instead (a POST-only action, an API write)."""
    response, _ = _rolled_back(client, "get", url)
    if response.status_code != 405:
        return "get"
    allowed = [m.strip().lower() for m in response.get("Allow", "").split(",")]
    return next(m for m in ("post", "put", "patch", "delete") if m in allowed)


def _to_login(response) -> bool:
    return response.status_code == 302 and "/login/" in response.get("Location", "")


def test_the_owner_opens_and_nobody_else_does(world, people):
    clients = {who: _client(user) for who, user in people.items()}
    problems, checked = [], 0
    for route in object_routes():
        owner = owner_of(route)
        if owner is None:
            continue  # test_every_object_url_has_an_owner names it
        url = fill(route, world)
        if owner == "public":
            for who, client in clients.items():
                response, body = _rolled_back(client, "get", url)
                if response.status_code >= 500 or any(m in body for m in world.markers):
                    problems.append(f"GET {url} (public) as {who}: {response.status_code}")
            continue
        method = _method(clients[owner], url)
        response, _ = _rolled_back(clients[owner], method, url)
        expected = OWNER_GET if method == "get" else OWNER_WRITE
        if response.status_code not in expected or _to_login(response):
            problems.append(f"{method.upper()} {url} as the owner ({owner}): "
                            f"{response.status_code} {response.get('Location', '')}")
        other_staff = "ACE staff" if owner != "ACE staff" else "ACSM staff"
        outsiders = ["bob", other_staff, "anonymous"]
        if owner == "alice":
            outsiders.append(SAME_BODY_STAFF)
        for who in outsiders:
            client = clients[who]
            response, body = _rolled_back(client, method, url)
            if not (response.status_code in REFUSED or _to_login(response)):
                # Input refused before any lookup (the API's body validation) is no leak
                # when a missing object gets the very same answer.
                missing, _ = _rolled_back(client, method,
                                          fill(route, world, MISSING))
                if missing.status_code != response.status_code:
                    problems.append(f"{method.upper()} {url} as {who}: "
                                    f"{response.status_code} (a missing one: "
                                    f"{missing.status_code})")
            shown = [m for m in world.markers if m in body or escape(m) in body]
            if shown:
                problems.append(f"{method.upper()} {url} shows {shown} to {who}")
            checked += 1
    assert not problems, "\n".join(problems)
    assert checked >= 120
