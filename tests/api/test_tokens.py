"""Personal access tokens: created on the settings page and shown once, stored hashed,
revoked and expired tokens refused, read tokens cannot write, never logged (issue 15)."""

import logging
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from recert.api.models import AccessToken
from tests.api.conftest import ApiClient, make_token

CREDIT = {"earned_on": "2026-01-05", "format": "course", "amount": "2",
          "organization": "ACSM", "title": "Strength Summit"}


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["detail"]
    return body


def test_the_settings_page_shows_a_new_token_once_and_stores_only_its_hash(alice):
    client = Client()
    client.force_login(alice.user)
    response = client.post("/settings/", {"name": "my spreadsheet", "scope": "read"},
                           follow=True)
    token = AccessToken.objects.get(user=alice.user)
    page = response.content.decode()
    raw = page.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert raw.startswith(f"rct_{token.prefix}_") and token.matches(raw)
    assert raw not in str(AccessToken.objects.filter(pk=token.pk).values().get())
    again = client.get("/settings/").content.decode()
    assert raw not in again and "my spreadsheet" in again and "Read only" in again
    assert ApiClient(raw).get("/me").json()["auth"] == {
        "via": "token", "token_name": "my spreadsheet", "scope": "read"}


def test_the_form_says_what_is_wrong(alice):
    client = Client()
    client.force_login(alice.user)
    page = client.post("/settings/", {"name": "", "scope": "admin",
                                      "expires_on": "2020-01-01"}).content.decode()
    assert "Enter a name for the token" in page
    assert "Choose read only, or read and write." in page
    assert "is in the past" in page
    assert not AccessToken.objects.exists()


def test_revoked_and_expired_tokens_are_refused(alice, bob):
    token, raw = make_token(alice)
    client = ApiClient(raw)
    assert client.get("/me").status_code == 200
    assert AccessToken.objects.get(pk=token.pk).last_used_at is not None
    page = Client()
    page.force_login(bob.user)
    assert page.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 404
    page.force_login(alice.user)
    page.post(f"/settings/tokens/{token.pk}/revoke/")
    body = _problem(client.get("/me"), 401)
    assert "revoked" in body["detail"]
    _, expired_raw = make_token(alice, expires_at=timezone.now() - timedelta(seconds=1))
    assert "expired" in _problem(ApiClient(expired_raw).get("/me"), 401)["detail"]


def test_unknown_malformed_and_missing_tokens_are_401(alice):
    token, raw = make_token(alice)
    response = ApiClient().get("/me")
    _problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    _problem(ApiClient(raw[:-2] + "xx").get("/me"), 401)
    _problem(ApiClient("nonsense").get("/me"), 401)
    _problem(ApiClient().get("/me", headers={"Authorization": f"Token {raw}"}), 401)


def test_a_read_token_reads_and_cannot_write(alice_read_api, alice_cpt):
    assert alice_read_api.get("/credits").status_code == 200
    body = _problem(alice_read_api.post("/credits", CREDIT), 403)
    assert "read-only" in body["detail"]


def test_the_pages_scripts_use_the_session_with_csrf(alice, alice_cpt):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice.user)
    assert client.get("/api/v1/me").json()["auth"]["via"] == "session"
    refused = client.post("/api/v1/credits", CREDIT, content_type="application/json")
    assert "CSRF" in _problem(refused, 403)["detail"]
    client.get("/settings/")
    csrf = client.cookies["csrftoken"].value
    made = client.post("/api/v1/credits", CREDIT, content_type="application/json",
                       headers={"X-CSRFToken": csrf})
    assert made.status_code == 201


def test_a_token_never_appears_in_the_logs(alice, alice_cpt, caplog, settings):
    settings.DEBUG = True
    _, raw = make_token(alice)
    _, read_raw = make_token(alice, "read")
    with caplog.at_level(logging.DEBUG):
        client = ApiClient(raw)
        client.get("/me")
        client.post("/credits", {**CREDIT, "amount": "x"})  # 422, logged by Django
        client.get("/credits/999999")  # 404
        ApiClient(read_raw).post("/credits", CREDIT)  # 403
        ApiClient().get("/me", headers={"Authorization": f"Token {raw}"})  # wrong scheme
        ApiClient().get("/me", headers={"Authorization": f"bearer {raw}x"})  # unknown
    assert caplog.records, "nothing was logged: the test would prove nothing"
    for secret in (raw, read_raw, raw.split("_", 2)[2]):
        assert secret not in caplog.text


def test_the_docs_page_loads_its_assets_from_the_site(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/recert/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "http" not in html.split("<body")[1].replace('"/api/v1/openapi.json"', "")
    assert "<script>" not in html  # no inline script
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Recert API"
    errors = schema["paths"]["/api/v1/credits"]["post"]["responses"]["422"]["content"]
    assert list(errors) == ["application/problem+json"]


def test_other_addresses_under_api_are_problems(client):
    response = client.get("/api/v2/credits")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert "/api/v1/" in response.json()["detail"]


def test_a_method_a_route_lacks_and_a_body_too_large_are_problems(alice_api, alice_cpt):
    response = alice_api.client.patch("/api/v1/me", headers=alice_api._headers(None))
    assert response.status_code == 405 and response["Allow"] == "GET"
    assert response["Content-Type"] == "application/problem+json"
    large = {"name": "a.pdf", "content_base64": "A" * 3_000_000}
    too_big = alice_api.post("/credits", {"title": "x", "documents": [large]})
    assert too_big.status_code == 413
    assert too_big["Content-Type"] == "application/problem+json"
    assert "/documents" in too_big.json()["detail"]


def test_staff_revoke_a_leaked_token_in_the_admin(alice, sam):
    token, raw = make_token(alice)
    staff = Client()
    staff.force_login(sam)
    page = staff.get(f"/admin/api/accesstoken/{token.pk}/change/").content.decode()
    assert token.display in page and token.token_hash not in page
    staff.post("/admin/api/accesstoken/", {"action": "revoke",
                                           "_selected_action": [token.pk]})
    assert "revoked" in _problem(ApiClient(raw).get("/me"), 401)["detail"]


def test_operation_ids_are_short_and_unique(client):
    schema = client.get("/api/v1/openapi.json").json()
    ids = [op["operationId"] for ops in schema["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids)) and "credit_list" in ids
    assert all("." not in i and not i.startswith("recert") for i in ids)
