"""The professional's dashboard and one certification's credits, as the engine sees them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from recert.core.evaluation import standing_of
from recert.core.models import Professional


def professional_of(request: HttpRequest) -> Professional | None:
    return Professional.objects.filter(user=request.user).first()


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    professional = professional_of(request)
    if professional is None:
        return render(request, "front/no_profile.html")
    standing = standing_of(professional, timezone.localdate())
    return render(request, "front/dashboard.html", {
        "professional": professional,
        "standing": standing,
        "rows": standing.rows(),
        "as_of": standing.evaluation.as_of,
    })


@login_required
def certification_detail(request: HttpRequest, certification_id: int) -> HttpResponse:
    professional = professional_of(request)
    if professional is None:
        raise Http404("No such certification.")
    standing = standing_of(professional, timezone.localdate())
    found = [(c, r) for c, r in standing.rows() if c.pk == certification_id]
    if not found:
        # Someone else's, deleted, or unknown: all look the same from outside.
        raise Http404("No such certification.")
    certification, result = found[0]
    entries = {str(e.pk): e for e in standing.credits}
    credit_rows = [(entries[r.id], r) for r in result.credits] if result else []
    return render(request, "front/certification.html", {
        "professional": professional,
        "certification": certification,
        "result": result,
        "credit_rows": credit_rows,
        "as_of": standing.evaluation.as_of,
    })
