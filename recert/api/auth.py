"""Who is calling: a bearer token (Authorization: Bearer rct_…) or the session of the pages'
own scripts (with CSRF). Both resolve into a Principal, which resources ask what they may
see. A token's secret is never logged, echoed or stored (only its hash)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from recert.api.actions import touch_access_token
from recert.api.models import TOKEN_PREFIX, AccessToken
from recert.api.problems import ApiProblem
from recert.core.models import Professional

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
BEARER = {"WWW-Authenticate": 'Bearer realm="recert"'}


@dataclass
class Principal:
    """The caller. `token` is None for a signed-in page (session)."""

    user: object
    token: AccessToken | None = None
    _professional: Professional | None = field(default=None, repr=False)

    @property
    def via(self) -> str:
        return "token" if self.token is not None else "session"

    @property
    def can_write(self) -> bool:
        return self.token is None or self.token.can_write

    @property
    def owner_key(self) -> str:
        """Whose idempotency keys and rate limit: per token, or per signed-in user."""
        return (f"token:{self.token.prefix}" if self.token is not None
                else f"user:{self.user.pk}")

    def professional(self) -> Professional:
        """The professional record the caller acts on: a personal token's user's own.
        (Provider and staff tokens will resolve differently: they have none.)"""
        if self._professional is None:
            self._professional = Professional.objects.filter(user=self.user).first()
        if self._professional is None:
            raise ApiProblem(404, "This account has no professional profile.")
        return self._professional


def _refuse(detail: str) -> ApiProblem:
    return ApiProblem(401, detail, headers=BEARER)


def check_scope(request: HttpRequest, principal: Principal) -> Principal:
    if request.method not in SAFE_METHODS and not principal.can_write:
        raise ApiProblem(403, "This token is read-only: create a token with the write scope "
                              "on your settings page to change data.")
    return principal


class TokenAuth(HttpBearer):
    """Authorization: Bearer rct_<prefix>_<secret>. A malformed, unknown, revoked or expired
    token is a 401 (never a fall-through to the session); a read token on a write call is
    a 403. Unlike ninja's HttpBearer, nothing of the header is ever logged."""

    def __call__(self, request: HttpRequest):
        value = request.headers.get(self.header)
        if not value:
            return None
        scheme, _, raw = value.strip().partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise _refuse("Send the token as: Authorization: Bearer <token>.")
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str):
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
            raise _refuse("The token is not a Recert token (they start with rct_).")
        row = (AccessToken.objects.select_related("user").filter(prefix=parts[1]).first())
        if row is None or not row.matches(token) or not row.user.is_active:
            raise _refuse("The token is not valid.")
        refusal = row.refusal()
        if refusal:
            raise _refuse(f"{refusal} Create a new one on your settings page.")
        principal = check_scope(request, Principal(row.user, row))
        touch_access_token(row)
        return principal


class SessionAuth(APIKeyCookie):
    """The signed-in user of the pages' own scripts; unsafe methods need the CSRF token
    (X-CSRFToken), as on the pages."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest):
        if not request.user.is_authenticated:
            return None  # not signed in: a 401, not a CSRF complaint
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key):
        if request.user.is_authenticated:
            return Principal(request.user)
        return None


def principal_of(request: HttpRequest) -> Principal:
    return request.auth
