"""Template context for every page: which consoles the menu offers (staff, education,
provider), asked once per request and only when a page's menu reads it; kept in a shared
cache (Redis) per user and version of their memberships."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.functional import SimpleLazyObject

from recert.core.access import menu_of

# (memberships version, consoles) per user, and the version: moved when one of the user's
# staff or provider memberships is saved or deleted (recert.core.signals).
CONSOLES_KEY = "recert:consoles:{}"
CONSOLES_VERSION_KEY = "recert:consoles-version:{}"


def _shared_cache() -> bool:
    return "locmem" not in settings.CACHES["default"]["BACKEND"].lower()


def cached_menu_of(user) -> dict[str, bool]:
    """`menu_of(user)` from the shared cache while the user's memberships have not changed
    (one MGET instead of a query on every page). The version is read before the query of a
    miss, so an answer built before a change is stored under the older version and never
    read after the change commits. A per-process cache (no Redis) would not see the other
    processes' changes: then every page asks the database."""
    if not _shared_cache() or not getattr(user, "is_authenticated", False):
        return menu_of(user)
    key, version_key = CONSOLES_KEY.format(user.pk), CONSOLES_VERSION_KEY.format(user.pk)
    found = cache.get_many([key, version_key])
    version = found.get(version_key, 0)
    held = found.get(key)
    if held is not None and held[0] == version:
        return held[1]
    consoles = menu_of(user)
    cache.set(key, (version, consoles), settings.EVALUATION_CACHE_SECONDS)
    return consoles


def memberships_changed(user_id) -> None:
    """Moves the user's memberships version once the change commits."""
    def bump():
        key = CONSOLES_VERSION_KEY.format(user_id)
        try:
            cache.incr(key)
        except ValueError:  # never moved (or lost): any held answer has version 0
            cache.set(key, 1, None)
    transaction.on_commit(bump)


def consoles_of(request) -> dict[str, bool]:
    """`menu_of(request.user)`, asked at most once per request (the menu and a page that
    offers console-specific choices share the answer)."""
    found = getattr(request, "_recert_consoles", None)
    if found is None:
        found = request._recert_consoles = cached_menu_of(request.user)
    return found


def menu(request):
    consoles = SimpleLazyObject(lambda: consoles_of(request))
    return {
        "is_staff_member": lambda: consoles["staff"],
        "is_education_staff": lambda: consoles["education"],
        "is_provider_member": lambda: consoles["provider"],
    }
