"""Bad bytes: a NUL or an unpaired surrogate anywhere in a request is a 400 naming where it
was, on every URL of the URL configuration, never a 500 (issue 11, item 4).

PostgreSQL cannot store U+0000 or a lone surrogate: before the middleware
`/credits/lookup/?number=%00`, `/invoices/R%00/` and admin filters answered 500 there. Run
this file with DATABASE_URL pointing at PostgreSQL too (CI does).
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.security.urlmap import fill, routes, unmapped

NUL = "\x00"
SURROGATE = "\ud800"
# Names the views and the admin read (search, filters, form fields); the value is bad.
NAMES = ("q", "number", "provider", "tab", "sort", "next", "date_from", "title",
         "status__exact", "username", "email", "reference")


def _client(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _refused(response, url: str, what: str) -> None:
    assert response.status_code == 400, (
        f"{what} on {url}: {response.status_code}, expected 400")
    assert b"cannot be stored" in response.content, url


def test_every_id_is_mapped(world):
    assert unmapped(world) == []


def test_the_known_cases_are_refused_by_name(client, world):
    client.force_login(world.sam)
    for url in ("/credits/lookup/?number=%00", f"/invoices/{world.invoice.number}%00/",
                "/admin/core/creditentry/?title=%00", "/admin/renewals/invoice/?q=%00",
                "/admin/core/creditentry/?format__exact=%00"):
        response = client.get(url)
        _refused(response, url, "NUL")
    _refused(client.post("/credits/lookup/", {"number": NUL}), "/credits/lookup/", "NUL")
    page = client.get("/credits/lookup/?number=%00").content.decode()
    assert "query parameter “number”" in page and "NUL" in page


@pytest.mark.parametrize("who", ["alice", "sam", "anonymous"])
def test_every_url_refuses_bad_bytes(world, who):
    """Path, query string, form fields, JSON body and uploaded file names, on every URL,
    signed in as the owner, as a superuser and anonymous."""
    client = _client({"alice": world.alice.user, "sam": world.sam, "anonymous": None}[who])
    for route in routes():
        url = fill(route, world)
        # The path: a NUL inside each parameter, or at the end when there is none.
        if route.params:
            for name in route.params:
                bad = fill(route, world, {name: "R" + NUL})
                _refused(client.get(bad), bad, "NUL in the path")
        else:
            _refused(client.get(url + NUL), url, "NUL in the path")
        _refused(client.get(url, {n: "x" + NUL for n in NAMES}), url, "NUL in the query")
        _refused(client.post(url, {n: NUL for n in NAMES}), url, "NUL in a form field")
        _refused(client.post(url, {"x" + NUL: "1"}), url, "NUL in a form field's name")
        # Django's multipart parser drops a NUL from a file name itself; the middleware
        # checks again. Either way: never a 500.
        upload = SimpleUploadedFile("certificate" + NUL + ".pdf", b"%PDF-1.4\n")
        response = client.post(url, {"documents": upload})
        assert response.status_code < 500, f"NUL in a file name on {url}"
        for body in ({"title": NUL}, {"nested": [{"x": SURROGATE}]}, {NUL: 1}):
            _refused(client.post(url, json.dumps(body), content_type="application/json"),
                     url, f"JSON {body!r}")


def test_bad_cookie_and_header(world):
    client = _client(world.alice.user)
    response = client.get("/", HTTP_USER_AGENT="Mozilla" + NUL)
    _refused(response, "/", "NUL in a header")
    client.cookies["sessionid"] = "abc" + NUL
    _refused(client.get("/credits/"), "/credits/", "NUL in the session cookie")


def test_good_input_is_untouched(client, world):
    """The same requests without the bad character behave as before."""
    client.force_login(world.alice.user)
    assert client.post("/credits/lookup/", {"number": "ACSM-1"}).status_code == 200
    assert client.get(f"/invoices/{world.invoice.number}/").status_code == 200
    ok = client.post("/credits/preview/", json.dumps({"title": "Ünïcode ✓ 😀"}),
                     content_type="application/json")
    assert ok.status_code != 400
