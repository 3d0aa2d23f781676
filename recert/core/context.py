"""Template context for every page: which consoles the menu offers (staff, education,
provider), asked once per request and only when a page's menu reads it."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from recert.core.access import menu_of


def consoles_of(request) -> dict[str, bool]:
    """`menu_of(request.user)`, asked at most once per request (the menu and a page that
    offers console-specific choices share the answer)."""
    found = getattr(request, "_recert_consoles", None)
    if found is None:
        found = request._recert_consoles = menu_of(request.user)
    return found


def menu(request):
    consoles = SimpleLazyObject(lambda: consoles_of(request))
    return {
        "is_staff_member": lambda: consoles["staff"],
        "is_education_staff": lambda: consoles["education"],
        "is_provider_member": lambda: consoles["provider"],
    }
