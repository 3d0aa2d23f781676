"""What every page of the professional needs: their profile, or a 404 for anyone else's rows."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from recert.core.models import Professional


def professional_of(request: HttpRequest) -> Professional | None:
    return Professional.objects.filter(user=request.user).first()


def own_professional(request: HttpRequest) -> Professional:
    """The signed-in user's profile; 404 when the account has none (staff)."""
    professional = professional_of(request)
    if professional is None:
        raise Http404("This account has no professional profile.")
    return professional


def label(certification) -> str:
    return f"{certification.program.body.code} {certification.program.code}"
