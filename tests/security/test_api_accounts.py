"""Cross-account matrix over every API route (issue 15): each operation of the live OpenAPI
document, with its ids filled with alice's objects, called with bob's read-and-write token
answers 404 (403 on the provider and staff routes: a personal token acts for no provider
and holds no staff role) and shows nothing of alice's; list routes show bob only his own.
The same calls with alice's token succeed, so the matrix is not refusing everyone. The
provider routes, filled with the world's provider's ids: another provider's token 404, a
staff token 403, anonymous 401; the provider's own token opens them."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from recert.api.actions import do_create_access_token

CREDIT = {"earned_on": "2026-01-05", "format": "course", "amount": "1.5",
          "organization": "ACSM", "title": "Bob's course"}
PDF = b"%PDF-1.4\n%%EOF\n"


PROVIDER_ROUTES = "/api/v1/providers/"
STAFF_ROUTES = "/api/v1/staff/"
ROSTER = {"rows": [{"member_id": "ACSM-77", "completed_on": "2026-01-05"}]}


def _ids(world) -> dict[str, str]:
    course = world.extra["course"]
    return {"entry_id": str(world.entry.pk), "certification_id": str(world.certification.pk),
            "number": world.invoice.number, "provider_id": str(course.provider_id),
            "course_id": str(course.pk), "roster_id": str(world.extra["roster_row"].roster_id),
            "professional_id": str(world.alice.pk),
            "case_id": str(world.extra["audit_case"].pk),
            "petition_id": str(world.extra["petition"].pk)}


def _call(client: Client, method: str, path: str, token: str):
    headers = {"Authorization": f"Bearer {token}", "If-Match": "*"}
    if path.endswith("/documents") and method == "post":
        return client.post(path, {"file": SimpleUploadedFile("c.pdf", PDF)}, headers=headers)
    body = ({"credits": [CREDIT]} if path.endswith("/batch") else
            ROSTER if path.endswith("/rosters") else
            {"kind": "add_credit", "reason": "x", "unit": "cec", "awarded_by": "ACSM",
             **CREDIT} if path.endswith("/corrections")
            else CREDIT)
    return getattr(client, method)(path, body, content_type="application/json",
                                   headers=headers) if method in ("post", "put") else (
        getattr(client, method)(path, headers=headers))


def _fill(template: str, ids: dict[str, str]) -> str:
    for name, value in ids.items():
        template = template.replace("{" + name + "}", value)
    return template


def _operations(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method in operations:
            yield path, method


def test_another_professionals_token_finds_none_of_alices_objects(world, media):
    _, bob_token = do_create_access_token(world.bob.user, name="bob", scope="write",
                                          expires_at=None, actor=world.bob.user)
    client = Client(raise_request_exception=False)
    ids = _ids(world)
    checked = []
    for template, method in _operations(client):
        path = _fill(template, ids)
        assert "{" not in path, f"{template}: add its parameter to _ids"
        response = _call(client, method, path, bob_token)
        body = response.content.decode(errors="replace")
        for marker in world.markers:
            assert marker not in body, f"{method.upper()} {path} shows {marker!r} to bob"
        if path != template:
            refused = path.startswith((PROVIDER_ROUTES, STAFF_ROUTES))
            assert response.status_code == (403 if refused else 404), (
                f"{method.upper()} {path} with bob's token: {response.status_code}")
            checked.append(f"{method} {template}")
        else:
            assert response.status_code < 500, f"{method.upper()} {path}"
    assert len(checked) >= 9, checked


def test_alices_own_token_opens_the_same_routes(world, media):
    raw = world.extra["access_raw"]
    client = Client(raise_request_exception=False)
    ids = _ids(world)
    for template, method in _operations(client):
        path = _fill(template, ids)
        if path == template or method == "delete":
            continue
        response = _call(client, method, path, raw)
        # 409: alice's entry is claimed by her renewal (confirmed), so its facts are hers
        # no longer to change; 4xx other than 404 means the route found the object.
        assert response.status_code != 404, f"{method.upper()} {path}: {response.content}"


def test_provider_routes_open_to_their_own_provider_only(world, media):
    from django.contrib.auth import get_user_model

    from recert.core.models import Provider, ProviderMembership
    from tests.staff.people import make_staff

    provider = world.extra["course"].provider
    users = get_user_model().objects
    member = users.create_user("pia", "pia@example.com", "x")
    ProviderMembership.objects.create(user=member, provider=provider)
    outsider = users.create_user("olaf", "olaf@example.com", "x")
    other = Provider.objects.create(name="Other Org")
    ProviderMembership.objects.create(user=outsider, provider=other)
    tokens = {
        "own": do_create_access_token(member, name="LMS", scope="write", expires_at=None,
                                      actor=member, kind="provider", provider=provider)[1],
        "another provider's": do_create_access_token(
            outsider, name="LMS", scope="write", expires_at=None, actor=outsider,
            kind="provider", provider=other)[1],
        "a staff": do_create_access_token(
            make_staff("reg", [("ACSM", "registrar")]), name="CRM", scope="write",
            expires_at=None, actor=None, kind="staff")[1],
    }
    expected = {"own": None, "another provider's": 404, "a staff": 403, "anonymous": 401}
    client = Client(raise_request_exception=False)
    ids = _ids(world)
    checked = 0
    for template, method in _operations(client):
        if not template.startswith(PROVIDER_ROUTES):
            continue
        path = _fill(template, ids)
        for who, status in expected.items():
            response = (_call(client, method, path, tokens[who]) if who != "anonymous" else
                        getattr(client, method)(path, ROSTER, content_type="application/json")
                        if method == "post" else client.get(path))
            if status is None:
                assert response.status_code in (200, 201), (who, method, path,
                                                            response.content)
            else:
                assert response.status_code == status, (who, method, path)
                assert provider.name not in response.content.decode()
            checked += 1
    assert checked >= 6 * len(expected), checked


def test_staff_routes_open_to_the_staff_of_the_objects_body_only(world, media):
    """Alice is ACSM's (her audit case too); her petition is ACE's. The staff of the object's
    body open each staff route; the other body's staff (every role there) get 404 or a list
    without her; provider and personal tokens 403; anonymous 401."""
    from recert.core.models import ProviderMembership
    from tests.staff.people import make_staff

    acsm = make_staff("acsmstaff", [("ACSM", "registrar"), ("ACSM", "auditor")])
    ace = make_staff("acestaff", [("ACE", r) for r in ("viewer", "registrar", "auditor")])
    member = make_staff("pia", [])
    ProviderMembership.objects.create(user=member, provider=world.extra["course"].provider)

    def token(user, **kind):
        return do_create_access_token(user, name="t", scope="write", expires_at=None,
                                      actor=user, **kind)[1]

    staff = {"ACSM": token(acsm, kind="staff"), "ACE": token(ace, kind="staff")}
    refused = {
        token(world.bob.user): 403,
        token(member, kind="provider", provider=world.extra["course"].provider): 403,
        None: 401}
    client = Client(raise_request_exception=False)
    ids = _ids(world)
    checked = 0
    for template, method in _operations(client):
        if not template.startswith(STAFF_ROUTES):
            continue
        path = _fill(template, ids)
        own, other = ("ACE", "ACSM") if "/petitions" in path else ("ACSM", "ACE")
        response = _call(client, method, path, staff[other])
        content = response.content.decode()
        assert not any(m in content for m in world.markers), (method, path)
        if path != template:
            assert response.status_code == 404, (method, path, response.status_code)
        else:
            assert response.status_code == 200, (method, path)
        response = _call(client, method, path, staff[own])
        assert response.status_code in (200, 201), (method, path, response.content)
        for raw, status in refused.items():
            response = (_call(client, method, path, raw) if raw else
                        getattr(client, method)(path, content_type="application/json"))
            assert response.status_code == status, (method, path, status)
        checked += 1
    assert checked == 7, checked
