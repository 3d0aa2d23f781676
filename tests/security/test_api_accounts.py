"""Cross-account matrix over every API route (issue 15): each operation of the live OpenAPI
document, with its ids filled with alice's objects, called with bob's read-and-write token
answers 404 and shows nothing of alice's; list routes show bob only his own. The same calls
with alice's token succeed, so the matrix is not refusing everyone."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from recert.api.actions import do_create_access_token

CREDIT = {"earned_on": "2026-01-05", "format": "course", "amount": "1.5",
          "organization": "ACSM", "title": "Bob's course"}
PDF = b"%PDF-1.4\n%%EOF\n"


def _ids(world) -> dict[str, str]:
    return {"entry_id": str(world.entry.pk), "certification_id": str(world.certification.pk),
            "number": world.invoice.number}


def _call(client: Client, method: str, path: str, token: str):
    headers = {"Authorization": f"Bearer {token}", "If-Match": "*"}
    if path.endswith("/documents") and method == "post":
        return client.post(path, {"file": SimpleUploadedFile("c.pdf", PDF)}, headers=headers)
    body = {"credits": [CREDIT]} if path.endswith("/batch") else CREDIT
    return getattr(client, method)(path, body, content_type="application/json",
                                   headers=headers) if method in ("post", "put") else (
        getattr(client, method)(path, headers=headers))


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
        path = template
        for name, value in ids.items():
            path = path.replace("{" + name + "}", value)
        assert "{" not in path, f"{template}: add its parameter to _ids"
        response = _call(client, method, path, bob_token)
        body = response.content.decode(errors="replace")
        for marker in world.markers:
            assert marker not in body, f"{method.upper()} {path} shows {marker!r} to bob"
        if path != template:
            assert response.status_code == 404, (
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
        path = template
        for name, value in ids.items():
            path = path.replace("{" + name + "}", value)
        if path == template or method == "delete":
            continue
        response = _call(client, method, path, raw)
        # 409: alice's entry is claimed by her renewal (confirmed), so its facts are hers
        # no longer to change; 4xx other than 404 means the route found the object.
        assert response.status_code != 404, f"{method.upper()} {path}: {response.content}"
