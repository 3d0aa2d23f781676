"""Refuses, with a 400, any request carrying characters PostgreSQL cannot store.

PostgreSQL text and JSON cannot hold U+0000 (NUL), and no UTF-8 can hold an unpaired
surrogate (U+D800–U+DFFF, e.g. a JSON "\\ud800"). Such a character in a path, a query
string, a form field, an uploaded file's name, a cookie, a header or a JSON body would reach
a query and fail there with a 500 (on SQLite it is stored and breaks exports later). One
check at the door, before sessions (a cookie is a session key) and before any view, answers
400 and names where the character was, so no view has to think about it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Request bodies in JSON are walked; a body that is not JSON is left to the view.
JSON_TYPES = ("application/json",)
# The JSON API answers in application/problem+json, like its own errors (recert/api).
API_PREFIX = "/api/"


def has_unstorable(text: str) -> bool:
    return UNSTORABLE.search(text) is not None


def _walk_json(value, where: str) -> Iterator[str]:
    if isinstance(value, str):
        if has_unstorable(value):
            yield where
    elif isinstance(value, dict):
        for key, item in value.items():
            if has_unstorable(key):
                yield f"{where} (a key)"
            else:
                yield from _walk_json(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk_json(item, f"{where}[{i}]")


def _pairs(kind: str, mapping) -> Iterator[str]:
    for key, values in mapping.lists():
        if has_unstorable(key):
            yield f"the name of a {kind}"
            continue
        for value in values:
            if isinstance(value, str) and has_unstorable(value):
                yield f"the {kind} “{key}”"
                break


def _keep_body(request: HttpRequest) -> None:
    """Reads a small body into memory before the form is parsed, so that a view that wants
    the raw bytes (a signed webhook) can still read request.body. A body above
    DATA_UPLOAD_MAX_MEMORY_SIZE (an upload) is parsed from the stream as Django does; no
    view reads such a body raw (Django would refuse it as too big anyway)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if limit is None or length <= limit:
        request.body  # noqa: B018 - cached on the request


def unstorable_part(request: HttpRequest) -> str | None:
    """Where in the request an unstorable character is, in words; None when there is none."""
    if has_unstorable(request.path_info) or has_unstorable(request.path):
        return "the address (path)"
    if has_unstorable(request.META.get("QUERY_STRING", "")):
        return "the query string"
    for found in _pairs("query parameter", request.GET):
        return found
    for name, value in request.COOKIES.items():
        if has_unstorable(name) or has_unstorable(value):
            return "a cookie"
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and has_unstorable(value):
            return f"the {key[5:].replace('_', '-').title()} header"
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        _keep_body(request)
        for found in _pairs("form field", request.POST):
            return found
        for key, files in request.FILES.lists():
            for uploaded in files:
                if has_unstorable(key) or has_unstorable(uploaded.name or ""):
                    return f"the name of the file uploaded in “{key}”"
    elif content_type in JSON_TYPES:
        try:
            document = json.loads(request.body)
        except RequestDataTooBig:
            return None  # the view refuses it as too large (the API: 413)
        except (ValueError, UnicodeDecodeError):
            return None  # not JSON: the view answers that
        for where in _walk_json(document, "body"):
            return f"the JSON {where}"
    return None


class UnstorableCharactersMiddleware:
    """400 for a request with NUL or an unpaired surrogate anywhere a view could read it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = unstorable_part(request)
        if where is not None:
            if request.path_info.startswith(API_PREFIX):
                return bad_request_problem(where)
            return bad_request(where)
        return self.get_response(request)


def bad_request(where: str) -> HttpResponse:
    html = render_to_string("bad_request.html", {"where": where})
    return HttpResponse(html, status=400)


def _message(where: str) -> str:
    return (f"{where[:1].upper()}{where[1:]} contains a character that cannot be stored: a NUL "
            "character (U+0000) or half of a surrogate pair (U+D800 to U+DFFF). Remove it and "
            "try again; any other text is accepted.")


def bad_request_problem(where: str) -> HttpResponse:
    body = {"type": "about:blank", "title": "Bad request", "status": 400,
            "detail": _message(where), "errors": []}
    return HttpResponse(json.dumps(body), status=400, content_type="application/problem+json")
