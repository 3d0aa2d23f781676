"""One professional on one screen, as the staff of their bodies see them."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from recert.core.access import access_professional, staff_bodies
from recert.core.models import Certification, Cycle, MemberId
from recert.staff.decorators import staff_required


@staff_required()
def professional(request: HttpRequest, professional_id: int) -> HttpResponse:
    person = access_professional(request.user, professional_id, as_staff=True)
    bodies = staff_bodies(request.user)
    certifications = Certification.objects.filter(
        professional=person, program__body__in=bodies).select_related(
        "program__body").prefetch_related(Prefetch("cycles", Cycle.objects.order_by("number")))
    return render(request, "staff/professional.html", {
        "person": person,
        "certifications": certifications,
        "member_ids": MemberId.objects.filter(professional=person, body__in=bodies)
        .select_related("body"),
    })
