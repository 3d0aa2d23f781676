"""Template context: whether to show the provider pages and the education console in the
menu (asked only when a page's menu reads it)."""

from __future__ import annotations

from recert.core.access import is_provider_member, is_staff_member


def provider_menu(request):
    return {"is_provider_member": lambda: is_provider_member(request.user),
            "is_education_staff": lambda: is_staff_member(request.user, "education")}
