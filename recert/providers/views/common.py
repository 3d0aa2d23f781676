from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from recert.core.access import (
    NOT_FOUND,
    _pk,
    is_provider_member,
    is_staff_member,
    member_providers,
)
from recert.core.models import Course, Provider
from recert.providers.models import Event


def provider_required(view):
    """Signed in and working for a provider (403 otherwise)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_provider_member(request.user):
            raise PermissionDenied("This page is for the staff of an approved provider.")
        return view(request, *args, **kwargs)

    return wrapped


def role_required(role: str):
    """Signed in and holding `role` at a body at least (403 otherwise); the objects in reach
    are then decided per body."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not is_staff_member(request.user, role):
                raise PermissionDenied(f"This page needs the {role} role.")
            return view(request, *args, **kwargs)

        wrapped.staff_role = role
        return wrapped

    return decorator


education_required = role_required("education")
auditor_required = role_required("auditor")


def own_provider(actor, pk) -> Provider:
    """A provider the actor works for; 404 for any other (staff included)."""
    provider = member_providers(actor).filter(pk=_pk(pk)).first()
    if provider is None:
        raise Http404(NOT_FOUND)
    return provider


def own_course(actor, pk) -> Course:
    """A course of a provider the actor works for; 404 for any other."""
    course = Course.objects.select_related("provider", "body").filter(
        pk=_pk(pk), provider__in=member_providers(actor)).first()
    if course is None:
        raise Http404(NOT_FOUND)
    return course


def own_event(actor, pk) -> Event:
    event = Event.objects.select_related("course__provider", "course__body").filter(
        pk=_pk(pk), course__provider__in=member_providers(actor)).first()
    if event is None:
        raise Http404(NOT_FOUND)
    return event


def own_roster(actor, pk):
    from recert.providers.models import Roster

    roster = Roster.objects.select_related("course__provider", "course__body").filter(
        pk=_pk(pk), course__provider__in=member_providers(actor)).first()
    if roster is None:
        raise Http404(NOT_FOUND)
    return roster


def own_roster_row(actor, pk):
    from recert.providers.models import RosterRow

    row = RosterRow.objects.select_related("roster", "course__provider", "course__body").filter(
        pk=_pk(pk), course__provider__in=member_providers(actor)).first()
    if row is None:
        raise Http404(NOT_FOUND)
    return row
