"""Errors as `application/problem+json` (RFC 9457): a title, the status, a detail in the
pages' words and, for bad input, one entry per field that failed with its path (`amount`,
`credits[3].amount`) and the form's own message."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from ninja import Schema

CONTENT_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request", 401: "Not signed in", 403: "Not allowed", 404: "Not found",
    405: "Method not allowed", 409: "Conflict", 412: "Changed since you read it",
    413: "Request too large", 415: "Unsupported media type", 422: "Invalid input",
    428: "If-Match required", 429: "Too many requests",
}


class FieldError(Schema):
    field: str
    message: str


class Problem(Schema):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] = []


class ApiProblem(Exception):
    """Raised anywhere in a handler (or the auth class): answered as a problem document."""

    def __init__(self, status: int, detail: str, *, errors: list[dict] | None = None,
                 title: str | None = None, headers: dict | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.title = title or TITLES.get(status, "Error")
        self.headers = headers or {}


def problem_response(status: int, detail: str, *, errors: Iterable[dict] = (),
                     title: str | None = None, headers: dict | None = None) -> HttpResponse:
    body = {"type": "about:blank", "title": title or TITLES.get(status, "Error"),
            "status": status, "detail": detail, "errors": list(errors)}
    response = HttpResponse(json.dumps(body), status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def from_problem(exc: ApiProblem) -> HttpResponse:
    return problem_response(exc.status, exc.detail, errors=exc.errors, title=exc.title,
                            headers=exc.headers)


def form_errors(form, *, prefix: str = "", rename: dict[str, str] | None = None) -> list[dict]:
    """A bound, invalid Django form's errors as field entries; `prefix` puts them under a
    batch item (`credits[3].`), `rename` maps the form's field names to the API's."""
    rename = rename or {}
    out = []
    for name, messages in form.errors.items():
        field = "" if name == "__all__" else rename.get(name, name)
        path = f"{prefix}{field}" if field else prefix.rstrip(".") or "(request)"
        for message in messages:
            out.append({"field": path, "message": str(message)})
    return out


def invalid(errors: list[dict], detail: str | None = None) -> ApiProblem:
    first = errors[0] if errors else None
    return ApiProblem(422, detail or (
        f"{first['field']}: {first['message']}" if first else "The input is not valid."),
        errors=errors)


def django_errors(exc: DjangoValidationError, prefix: str = "") -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [{"field": f"{prefix}{name}" if name != "__all__" else prefix.rstrip(".")
                 or "(request)", "message": str(m)}
                for name, errs in exc.message_dict.items() for m in errs]
    return [{"field": prefix.rstrip(".") or "(request)", "message": str(m)}
            for m in exc.messages]


def loc_path(loc: Iterable) -> str:
    """ninja/pydantic's error location as a field path: ("body", "payload", "credits", 3,
    "amount") → "credits[3].amount"."""
    parts = list(loc)
    while parts and parts[0] in ("body", "query", "path", "header", "form", "file",
                                 "payload", "filters"):
        parts.pop(0)
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(request)"
