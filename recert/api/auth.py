"""Who is calling: a bearer token (Authorization: Bearer rct_…) or the session of the pages'
own scripts (with CSRF). Both resolve into a Principal, which resources ask what they may
see. A token's secret is never logged, echoed or stored (only its hash)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from recert.accounts.second_factor import passed_second_factor
from recert.api.actions import touch_access_token
from recert.api.models import TOKEN_PREFIX, AccessToken
from recert.api.problems import ApiProblem
from recert.core.access import is_staff_member, member_providers
from recert.core.models import Professional, Provider

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
BEARER = {"WWW-Authenticate": 'Bearer realm="recert"'}
SECOND_FACTOR_FIRST = ("This signed-in session has not passed the second factor: open the "
                       "staff or provider console and enter your authenticator code first.")


@dataclass
class Principal:
    """The caller. `token` is None for a signed-in page (session); `second_factor` says
    whether that session passed the second factor (staff and provider routes need it, as
    their pages do)."""

    user: object
    token: AccessToken | None = None
    second_factor: bool = False
    _professional: Professional | None = field(default=None, repr=False)

    @property
    def via(self) -> str:
        return "token" if self.token is not None else "session"

    @property
    def kind(self) -> str:
        """"personal", "provider", "staff" (a token's kind) or "session"."""
        return self.token.kind if self.token is not None else "session"

    def providers(self):
        """The provider organizations this caller acts for (a provider token: its own; a
        signed-in user whose session passed the second factor: their memberships); 403 for
        personal and staff tokens and a session without the second factor."""
        if self.kind == AccessToken.PROVIDER:
            return Provider.objects.filter(pk=self.token.provider_id)
        if self.kind in (AccessToken.PERSONAL, AccessToken.STAFF):
            raise ApiProblem(403, "Provider routes need a provider token: create one on the "
                                  "settings page as a member of the provider.")
        if not self.second_factor:
            raise ApiProblem(403, SECOND_FACTOR_FIRST)
        return member_providers(self.user)

    def provider_for(self, provider_id: int) -> Provider:
        """The provider organization this caller acts for: a provider token's own, or one
        the signed-in user (second factor passed) is a member of. Anything else: 404, the
        same answer as for a provider that does not exist."""
        if self.kind == AccessToken.PROVIDER and self.token.provider_id == provider_id:
            return self.token.provider
        found = self.providers().filter(pk=provider_id).first()
        if found is None:
            raise ApiProblem(404, "Not found, or not yours.")
        return found

    def staff_actor(self):
        """The user whose staff roles and bodies decide what this caller sees (the access
        functions take it as their actor): a staff token's user, or the signed-in user
        whose session passed the second factor."""
        if self.kind == AccessToken.STAFF:
            return self.user
        if self.kind == "session":
            if not self.second_factor:
                raise ApiProblem(403, SECOND_FACTOR_FIRST)
            return self.user
        raise ApiProblem(403, "Staff routes need a staff token: create one on the settings "
                              "page as a member of a certifying body's staff.")

    @property
    def can_write(self) -> bool:
        return self.token is None or self.token.can_write

    @property
    def owner_key(self) -> str:
        """Whose idempotency keys and rate limit: per token, or per signed-in user."""
        return (f"token:{self.token.prefix}" if self.token is not None
                else f"user:{self.user.pk}")

    def professional(self) -> Professional:
        """The professional record the caller acts on: a personal token's (or the signed-in
        user's) own. Provider and staff tokens act for an organization or a role, never as
        a person: 403."""
        if self.kind in (AccessToken.PROVIDER, AccessToken.STAFF):
            raise ApiProblem(403, f"This is a {self.kind} token: it does not act as a person. "
                                  "Use a personal token for your own log.")
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


def _lapsed(row: AccessToken) -> str | None:
    """Why a provider or staff token stopped with its user's standing: a provider token
    works while its creator is a member of the provider, a staff token while its user is
    on some body's staff."""
    if row.kind == AccessToken.PROVIDER and not member_providers(row.user).filter(
            pk=row.provider_id).exists():
        return "The token's creator is no longer a member of the provider."
    if row.kind == AccessToken.STAFF and not is_staff_member(row.user):
        return "The token's user is no longer on any body's staff."
    return None


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
        row = (AccessToken.objects.select_related("user", "provider")
               .filter(prefix=parts[1]).first())
        if row is None or not row.matches(token) or not row.user.is_active:
            raise _refuse("The token is not valid.")
        refusal = row.refusal() or _lapsed(row)
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
            return Principal(request.user, second_factor=passed_second_factor(request))
        return None


def principal_of(request: HttpRequest) -> Principal:
    return request.auth
