"""API fixtures: tokens for alice (read and write) and bob, and a client that sends them."""

from __future__ import annotations

import pytest
from django.test import Client


class ApiClient:
    """The test client with a bearer token; JSON in, JSON (or problem+json) out."""

    def __init__(self, raw: str | None = None):
        self.client = Client(raise_request_exception=False)
        self.raw = raw

    def _headers(self, headers):
        out = dict(headers or {})
        if self.raw:
            out.setdefault("Authorization", f"Bearer {self.raw}")
        return out

    def get(self, path, data=None, headers=None):
        return self.client.get("/api/v1" + path, data, headers=self._headers(headers))

    def post(self, path, body=None, headers=None, **kwargs):
        if "data" in kwargs:  # multipart
            return self.client.post("/api/v1" + path, kwargs["data"],
                                    headers=self._headers(headers))
        return self.client.post("/api/v1" + path, body if body is not None else {},
                                content_type="application/json",
                                headers=self._headers(headers))

    def put(self, path, body, headers=None):
        return self.client.put("/api/v1" + path, body, content_type="application/json",
                               headers=self._headers(headers))

    def delete(self, path, headers=None):
        return self.client.delete("/api/v1" + path, headers=self._headers(headers))


def make_token(professional_or_user, scope="write", **kwargs):
    from recert.api.actions import do_create_access_token

    user = getattr(professional_or_user, "user", professional_or_user)
    return do_create_access_token(user, name=kwargs.pop("name", f"{scope} token"), scope=scope,
                                  expires_at=kwargs.pop("expires_at", None), actor=user,
                                  kind=kwargs.pop("kind", "personal"),
                                  provider=kwargs.pop("provider", None))


def token_client(professional, scope="write") -> ApiClient:
    token, raw = make_token(professional, scope)
    client = ApiClient(raw)
    client.token = token
    return client


@pytest.fixture
def alice_api(alice):
    return token_client(alice, "write")


@pytest.fixture
def alice_read_api(alice):
    return token_client(alice, "read")


@pytest.fixture
def bob_api(bob):
    return token_client(bob, "write")


def pytest_collection_modifyitems(config, items):
    """The fuzz tests run only when selected (`pytest -m fuzz`): they take minutes."""
    if "fuzz" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="schemathesis run: select it with -m fuzz (CI's fuzz step)")
    for item in items:
        if "fuzz" in item.keywords:
            item.add_marker(skip)
