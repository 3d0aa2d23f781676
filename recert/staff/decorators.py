"""The gate of every staff page: signed in, and holding the role at one of the bodies at
least (403 otherwise). Which objects are in reach is then decided per body by
recert.core.access (404 for what the member cannot see, 403 for what their role there
does not allow)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from recert.core.access import is_staff_member


def staff_refusal(user, role: str | None = None, *, what: str = "page") -> str | None:
    """Why `user` may not open a staff page (or API route: `what`) needing `role`, or
    None."""
    if is_staff_member(user, role):
        return None
    return (f"This {what} needs the {role} role." if role else
            f"This {what} is for the staff of a certifying body.")


def staff_required(role: str | None = None):
    """View decorator. `role`: the role the page needs (None: any staff role, i.e. reading).
    The view keeps the role in `staff_role`, which the permission matrix reads."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            refusal = staff_refusal(request.user, role)
            if refusal:
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        wrapped.staff_role = role
        return wrapped

    return decorator
