"""API v1: one NinjaAPI object (v2 can live beside it), mounted at /api/v1/ with namespace
"api-v1"; its OpenAPI document at /api/v1/openapi.json and the docs page at /api/v1/docs,
whose Swagger UI is served from the project's static files (no CDN)."""

from __future__ import annotations

import json

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import DocsBase

from recert.api.auth import BEARER, SessionAuth, TokenAuth
from recert.api.problems import (
    ApiProblem,
    django_errors,
    from_problem,
    invalid,
    loc_path,
    problem_response,
)
from recert.api.throttle import TokenRateThrottle
from recert.core.actions.credits import EntryConfirmed


class LocalSwagger(DocsBase):
    """Swagger UI from recert/static/recert/vendor/swagger-ui, started by a static script
    (no inline script); the page's own session can try the calls (with its CSRF token)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs):
        settings = {"url": self.get_openapi_url(api, kwargs), "layout": "BaseLayout",
                    "deepLinking": True}
        return render(request, "api/docs.html", {
            "api": api, "swagger_settings": json.dumps(settings)})


class RecertAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        """The handler's name (`credit_list`), not its module path: what client generators
        turn into method names. Names are unique across the routes (a test checks)."""
        return operation.view_func.__name__

    def get_openapi_schema(self, **kwargs):
        """Error responses are documented as application/problem+json, as they are sent."""
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content") or {}
                    if str(status)[:1] in "45" and "application/json" in content:
                        response["content"] = {
                            "application/problem+json": content["application/json"]}
        return schema


api = RecertAPI(
    title="Recert API",
    version="1",
    description=(
        "Your continuing-education log, certifications, their evaluation by the rules "
        "engine, renewal quotes and invoices; for providers, their organization, courses and "
        "completion rosters (`/providers/{provider_id}/…`: a roster's rows are checked and "
        "matched as the roster upload's, with each row's result). Authenticate with an "
        "access token from your settings page, `Authorization: Bearer rct_…`: a personal "
        "token for your own log, a provider token (made by a member of the provider) for "
        "its organization. Errors are "
        "`application/problem+json`. POSTs accept an `Idempotency-Key` header; updates "
        "need `If-Match` with the entry's version. "
        "Staff of a certifying body use a staff token (made on the settings page after the "
        "second factor) for the `/staff/` routes: professionals search, corrections, audit "
        "cases and petitions, each limited to the roles and bodies the staff member holds "
        "at the moment of the call, as on the staff pages."),
    urls_namespace="api-v1",
    docs=LocalSwagger(),
    docs_url="/docs",
    auth=[TokenAuth(), SessionAuth()],
    throttle=[TokenRateThrottle()],
)


@api.exception_handler(ApiProblem)
def _problem(request, exc: ApiProblem):
    return from_problem(exc)


@api.exception_handler(NinjaValidationError)
def _validation(request, exc: NinjaValidationError):
    errors = [{"field": loc_path(e.get("loc", ())), "message": str(e.get("msg", "invalid"))}
              for e in exc.errors]
    return from_problem(invalid(errors))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return problem_response(401, "Send an access token (personal, provider or staff): "
                                 "Authorization: Bearer <token> (create one on your settings "
                                 "page).",
                            headers=BEARER)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    detail = str(exc)
    if exc.status_code == 429:
        detail = "Too many requests with this token: wait for the time in Retry-After."
    elif exc.status_code == 403 and "CSRF" in detail:
        detail = ("The CSRF check failed: a signed-in page's script must send the "
                  "X-CSRFToken header.")
    return problem_response(exc.status_code, detail)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem_response(404, "Not found, or not yours.")


@api.exception_handler(PermissionDenied)
def _denied(request, exc):
    """A staff member without the role an object's body needs (recert.core.access)."""
    return problem_response(403, str(exc) or "Not allowed.")


@api.exception_handler(ObjectDoesNotExist)
def _no_object(request, exc):
    return problem_response(404, "Not found, or not yours.")


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return problem_response(413, "The request body is too large: send large documents to "
                                 "POST /credits/{entry_id}/documents as multipart/form-data.")


@api.exception_handler(EntryConfirmed)
def _confirmed(request, exc: EntryConfirmed):
    return problem_response(409, " ".join(exc.messages))


@api.exception_handler(DjangoValidationError)
def _django_invalid(request, exc: DjangoValidationError):
    return from_problem(invalid(django_errors(exc)))


def _register() -> None:
    from recert.api.routes import certifications, credits, me, providers, renewals, staff

    api.add_router("", me.router)
    api.add_router("", certifications.router)
    api.add_router("", credits.router)
    api.add_router("", renewals.router)
    api.add_router("", providers.router)
    api.add_router("", staff.router)


_register()
