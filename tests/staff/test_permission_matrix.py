"""The staff console's permission matrix (issue 12), generated from recert/staff/urls.py:
every URL (GET, or its POST action) × {staff of the role and body, staff of the other body
holding every role there, staff of the body holding every role but the one needed, the
professional the objects belong to, anonymous}. A page added to the URL list is checked
without touching this file; one not wrapped in staff_required fails here.

Ids are filled with alice's objects (ACSM) from the security suite's world; each request
runs in a savepoint that is rolled back, so every cell sees the same world.
"""

from __future__ import annotations

from html import escape

import pytest
from django.db import transaction
from django.test import Client

from recert.core.models.staff import ROLES, VIEWER
from recert.staff import urls as staff_urls
from tests.security.conftest import tom, world  # noqa: F401 (fixtures)
from tests.security.urlmap import Route, fill, routes

pytestmark = pytest.mark.django_db

REFUSED = {403, 404}
# What the role holder may be answered: the page, a redirect after a write, or the errors
# of an empty form (the object was found and the action reached).
ALLOWED_GET = {200, 302}
ALLOWED_POST = {200, 302, 303, 400, 409}


def staff_routes() -> list[Route]:
    names = {p.name for p in staff_urls.urlpatterns}
    found = [r for r in routes() if r.name and r.name.startswith("staff:")
             and r.name.split(":", 1)[1] in names]
    assert len(found) == len(staff_urls.urlpatterns), "every staff URL has a name"
    return found


def test_every_staff_view_declares_its_role():
    """staff_required keeps the role on the view: a view without it is not gated."""
    missing = [str(r) for r in staff_routes()
               if not hasattr(r.pattern.callback, "staff_role")]
    assert missing == [], f"wrap these views in recert.staff.decorators.staff_required: {missing}"
    assert {r.pattern.callback.staff_role for r in staff_routes()} <= {
        None, *ROLES}


@pytest.fixture
def cast(world, programs, django_user_model):  # noqa: F811
    """One user per (body, set of roles), made on demand."""
    from recert.core.actions.staff import do_grant_staff_role
    from recert.core.models import CertifyingBody

    made = {}

    def staff(body: str, roles: tuple[str, ...]):
        key = (body, roles)
        if key not in made:
            user = django_user_model.objects.create_user(
                f"m{len(made)}", f"m{len(made)}@staff.example", "x")
            for role in roles:
                do_grant_staff_role(user, CertifyingBody.objects.get(code=body), role,
                                    actor=None)
            made[key] = user
        return made[key]

    return staff


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _request(client: Client, method: str, url: str, query: dict):
    with transaction.atomic():
        if method == "get":
            response = client.get(url, query)
        else:
            response = client.post(url, query)
        body = (b"".join(response.streaming_content) if response.streaming
                else response.content)
        transaction.set_rollback(True)
    return response, body.decode(errors="replace")


def _to_login(response) -> bool:
    return response.status_code == 302 and "/login/" in response.get("Location", "")


@pytest.fixture
def twin(world, programs, sam, password):  # noqa: F811
    """Another ACSM professional: the other half of a merge preview."""
    from datetime import date

    from recert.core.actions.certifications import do_create_certification
    from tests.conftest import _professional

    person = _professional("twin", "Twin Person", password)
    do_create_certification(person, programs[("ACSM", "GEI")], date(2024, 2, 1), actor=sam)
    return person


def test_the_matrix(world, cast, twin):  # noqa: F811
    query = {"body": "ACSM", "keep": str(world.alice.pk), "merge": str(twin.pk)}
    markers = [escape(m) for m in world.markers] + [
        world.alice.email]
    problems, cells = [], 0
    for route in staff_routes():
        role = route.pattern.callback.staff_role
        needed = role or VIEWER
        holder = cast("ACSM", (needed,))
        url = fill(route, world)
        method = "get"
        response, _ = _request(_client(holder), "get", url, query)
        if response.status_code == 405:
            method = "post"
            response, _ = _request(_client(holder), "post", url, query)
        allowed = ALLOWED_GET if method == "get" else ALLOWED_POST
        cells += 1
        if response.status_code not in allowed or _to_login(response):
            problems.append(f"{method.upper()} {url} as {needed} of ACSM: "
                            f"{response.status_code}")
        others = {
            "staff of the other body": cast("ACE", ROLES),
            "professional (the owner)": world.alice.user,
            "anonymous": None,
        }
        if role is not None:
            others["staff of the body without the role"] = cast(
                "ACSM", tuple(r for r in ROLES if r != role))
        else:
            others["staff user holding no role"] = world.tom
        for who, user in others.items():
            cells += 1
            response, body = _request(_client(user), method, url, query)
            refused = response.status_code in REFUSED or _to_login(response)
            if who == "anonymous" and not _to_login(response):
                problems.append(f"{method.upper()} {url} as anonymous: "
                                f"{response.status_code}, not the log-in")
            elif who == "staff of the other body" and not refused:
                # A list of one's own body's people (the search, the report index) is no
                # refusal, but must show none of alice's.
                leaked = [m for m in markers if m in body]
                if method != "get" or leaked:
                    problems.append(f"{method.upper()} {url} as {who}: "
                                    f"{response.status_code}, shows {leaked}")
            elif who != "staff of the other body" and who != "anonymous" and not refused:
                problems.append(f"{method.upper()} {url} as {who}: {response.status_code}")
            if who in ("professional (the owner)", "staff user holding no role",
                       "staff of the body without the role") and response.status_code == 404:
                # Without the role it is a 403 (the page exists; the role is missing).
                problems.append(f"{method.upper()} {url} as {who}: 404, expected 403")
    assert problems == []
    assert cells >= 5 * len(staff_routes()) - len(staff_routes())
