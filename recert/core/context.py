"""Template context for every page: which consoles the menu offers (staff, education,
provider), asked once per request and only when a page's menu reads it."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from recert.core.access import menu_of


def menu(request):
    consoles = SimpleLazyObject(lambda: menu_of(request.user))
    return {
        "is_staff_member": lambda: consoles["staff"],
        "is_education_staff": lambda: consoles["education"],
        "is_provider_member": lambda: consoles["provider"],
    }
