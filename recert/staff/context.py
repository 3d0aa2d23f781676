"""Template context: whether to show the staff console in the menu (asked only when a
page's menu reads it)."""

from __future__ import annotations

from recert.core.access import is_staff_member


def staff_menu(request):
    return {"is_staff_member": lambda: is_staff_member(request.user)}
