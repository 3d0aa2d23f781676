"""Every URL of the URL configuration, with its ids filled from a `World` (not a test module).

The security suite walks `routes()`, so a URL added later is covered without touching the
tests; a parameter or an admin model this map does not know fails `test_every_id_is_mapped`
with a message naming what to add to PARAMS or ADMIN_OBJECTS.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?:[^()]|\([^()]*\))*\)")


@dataclass
class World:
    """The objects the ids are filled from: most belong to alice (the owner)."""

    alice: Any
    bob: Any
    tom: Any  # staff without any permission, no professional profile
    sam: Any  # superuser
    certification: Any
    entry: Any
    document: Any
    invoice: Any
    payment: Any
    payment_issue: Any
    reminder: Any
    calendar_token: str
    # Words that appear only on pages showing alice's objects.
    markers: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    route: str  # the pattern as written, prefixes joined
    name: str | None  # namespaced ("admin:core_creditentry_change"), None when unnamed
    params: tuple[str, ...]
    pattern: URLPattern

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    @property
    def admin_model(self):
        """The model an admin URL is about (admin/<app_label>/<model_name>/...), or None."""
        match = re.match(r"admin/(\w+)/(\w+)/", self.route)
        if not match:
            return None
        try:
            return apps.get_model(match[1], match[2])
        except LookupError:
            return None

    def __str__(self) -> str:
        return f"/{self.route} ({self.name or 'unnamed'})"


def _walk(patterns, prefix: str = "", namespace: str | None = None) -> Iterator[Route]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p.url_patterns, prefix + _text(p.pattern), ns)
            continue
        route = prefix + _text(p.pattern)
        name = (f"{namespace}:{p.name}" if namespace else p.name) if p.name else None
        yield Route(route, name, tuple(_params(route)), p)


def _text(pattern) -> str:
    if isinstance(pattern, RegexPattern):
        return pattern._regex.lstrip("^")
    return str(pattern)


def _params(route: str) -> list[str]:
    return [m["name"] for m in ROUTE_PARAM.finditer(route)] + [
        m["name"] for m in REGEX_GROUP.finditer(route)]


def routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


def _admin_object(world: World, route: Route) -> str:
    if route.name == "admin:view_on_site":  # content_type_id is alice's professional's
        return str(world.alice.pk)
    model = route.admin_model
    label = model._meta.label_lower if model else route.route
    if label not in ADMIN_OBJECTS:
        raise KeyError(f"{route}: add the model {label!r} to ADMIN_OBJECTS in {__name__}")
    return str(ADMIN_OBJECTS[label](world))


def _token(world: World, route: Route) -> str:
    return TOKENS[route.name](world) if route.name in TOKENS else "no-such-token"


# How each URL parameter is filled: with alice's object where the parameter names one.
PARAMS: dict[str, Callable[[World, Route], str]] = {
    "certification_id": lambda w, r: str(w.certification.pk),
    "entry_id": lambda w, r: str(w.entry.pk),
    "document_id": lambda w, r: str(w.document.pk),
    "number": lambda w, r: w.invoice.number,
    "scope": lambda w, r: "all",
    "fmt": lambda w, r: "csv",
    "token": _token,
    "user_id": lambda w, r: str(w.alice.user_id),
    "professional_id": lambda w, r: str(w.alice.pk),
    "uidb64": lambda w, r: _uidb64(w.alice.user),
    "object_id": _admin_object,
    "id": lambda w, r: str(w.alice.user_id),  # admin: a user's password form
    "content_type_id": lambda w, r: str(_content_type(w.alice).pk),  # admin: view on site
    "app_label": lambda w, r: "core",
    "url": lambda w, r: "no-such-page/",  # admin's catch-all
    "token_id": lambda w, r: str(w.extra["access_token"].pk),
    "import_id": lambda w, r: str(_registry_import(w)),
    "attempt_id": lambda w, r: str(w.extra["lockout"].pk),  # staff: lift a lock-out
    "pk": lambda w, r: str(w.extra["totp_device"].pk),  # admin: an authenticator's key
    "provider_id": lambda w, r: str(w.extra["course"].provider_id),
    "course_id": lambda w, r: str(w.extra["course"].pk),
    "event_id": lambda w, r: str(w.extra["event"].pk),
    "audit_id": lambda w, r: str(w.extra["audit_case"].audit_id),
    "case_id": lambda w, r: str(w.extra["audit_case"].pk),
    "item_id": lambda w, r: str(w.extra["audit_item"].pk),
    "body_code": lambda w, r: "ACSM",
    # staff: a body's policy value (issue 12)
    "key": lambda w, r: "programs.CPT.fee",
    "merge_id": lambda w, r: str(w.extra["merge"].pk),  # staff: a profile merge (issue 12)
    "roster_id": lambda w, r: str(w.extra["roster_row"].roster_id),
    "row_id": lambda w, r: str(w.extra["roster_row"].pk),
    "petition_id": lambda w, r: str(w.extra["petition"].pk),
    "kind": lambda w, r: "reminder_days_30",  # staff: an e-mail kind's preview (issue 17)
    # Open Badges (issue 15): a key, a program and a status list, all public documents.
    "key_id": lambda w, r: "no-such-key",
    "program_code": lambda w, r: w.certification.program.code,
    "list_number": lambda w, r: "0",
}

# Secret-carrying URLs: alice's real secret where the suite has one (capability URLs).
TOKENS: dict[str, Callable[[World], str]] = {
    "exports:calendar_feed": lambda w: w.calendar_token,
    "email_unsubscribe": lambda w: _unsubscribe_token(w.alice.user),
}


def _unsubscribe_token(user) -> str:
    from recert.core.mail import unsubscribe_token

    return unsubscribe_token(user)

# The admin object each model's URLs are opened with: alice's where the model is personal.
ADMIN_OBJECTS: dict[str, Callable[[World], Any]] = {
    "auth.group": lambda w: w.extra["group"].pk,
    "accounts.user": lambda w: w.alice.user_id,
    "accounts.claimtoken": lambda w: w.extra["claim_token"].pk,
    "core.certifyingbody": lambda w: w.certification.program.body_id,
    "core.program": lambda w: w.certification.program_id,
    "core.professional": lambda w: w.alice.pk,
    "core.certification": lambda w: w.certification.pk,
    "core.creditentry": lambda w: w.entry.pk,
    "core.document": lambda w: w.document.pk,
    "core.history": lambda w: w.extra["history"].pk,
    "core.course": lambda w: w.extra["course"].pk,
    "renewals.invoice": lambda w: w.invoice.pk,
    "renewals.renewal": lambda w: w.invoice.renewal_id,
    "renewals.payment": lambda w: w.payment.pk,
    "renewals.paymentissue": lambda w: w.payment_issue.pk,
    "renewals.reminder": lambda w: w.reminder.pk,
    "renewals.certificationlifecycle": lambda w: w.certification.pk,
    "api.accesstoken": lambda w: w.extra["access_token"].pk,
    "otp_totp.totpdevice": lambda w: w.extra["totp_device"].pk,
    "otp_static.staticdevice": lambda w: w.extra["static_device"].pk,
}


def _registry_import(world: World) -> int:
    """An (empty) registry import of alice's body, made when a URL first needs one."""
    if "registry_import" not in world.extra:
        from recert.staff.models import RegistryImport

        world.extra["registry_import"] = RegistryImport.objects.create(
            body=world.certification.program.body, file_name="registry.csv",
            sha256="0" * 64, rows=[], planned={})
    return world.extra["registry_import"].pk


def _uidb64(user) -> str:
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return urlsafe_base64_encode(force_bytes(user.pk))


def _content_type(obj):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj)


def fill(route: Route, world: World, override: dict[str, str] | None = None) -> str:
    """The URL path of `route` with every parameter filled (override: name → raw value)."""
    values = {name: (override or {}).get(name) or PARAMS[name](world, route)
              for name in route.params}
    path = ROUTE_PARAM.sub(lambda m: values[m["name"]], route.route)
    path = REGEX_GROUP.sub(lambda m: values[m["name"]], path).rstrip("$")
    return "/" + path


def unmapped(world: World) -> list[str]:
    """What PARAMS / ADMIN_OBJECTS cannot fill, in words (empty when everything is mapped)."""
    missing = []
    for route in routes():
        for name in route.params:
            if name not in PARAMS:
                missing.append(f"{route}: add the parameter {name!r} to PARAMS in {__name__}")
        if "object_id" in route.params:
            try:
                _admin_object(world, route)
            except KeyError as e:
                missing.append(str(e.args[0]))
    return missing
