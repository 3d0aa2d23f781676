"""Who may see a petition: its professional, and the staff of its body (the auditor role to
decide on it). The same 404 for missing and not yours; 403 for a role the staff member lacks
at that body."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from recert.core.access import NOT_FOUND, _pk, _user, staff_bodies
from recert.providers.models import Petition


def visible_petitions(actor, role: str | None = None, *, as_staff: bool = False):
    user = _user(actor)
    if user is None:
        return Petition.objects.none()
    in_reach = Q(body__in=staff_bodies(user, role))
    if role is None and not as_staff:
        in_reach |= Q(professional__user=user)
    return Petition.objects.filter(in_reach)


def access_petition(actor, pk, role: str | None = None, *, as_staff: bool = False) -> Petition:
    petition = visible_petitions(actor, as_staff=as_staff).select_related(
        "body", "credit_entry", "professional__user", "certificate").filter(pk=_pk(pk)).first()
    if petition is None:
        raise Http404(NOT_FOUND)
    if role is not None and not visible_petitions(actor, role).filter(pk=petition.pk).exists():
        raise PermissionDenied(f"This needs the {role} role for this petition's body.")
    return petition


def petition_queue(actor, states=Petition.OPEN):
    """The petitions the actor's bodies decide (the auditor role), in `states` (the open
    ones by default): the reviewers' queue, on the page and in the API."""
    return visible_petitions(actor, "auditor", as_staff=True).filter(state__in=states)
