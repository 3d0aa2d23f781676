"""Finding a professional among the people of the staff member's bodies."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from recert.core.access import staff_bodies, staff_roles, visible_professionals
from recert.core.models import Certification, MemberId
from recert.staff.decorators import staff_required
from recert.staff.forms import SearchForm

PAGE_SIZE = 25


def search_professionals(user, data: dict, bodies) -> tuple[object, bool]:
    """The professionals of `bodies` matching the cleaned search `data`; (queryset, whether
    anything was asked). Every condition is a lookup on an indexed column or a
    subquery on certifications (PostgreSQL text tuning is issue 16's)."""
    people = visible_professionals(user, as_staff=True)
    asked = False
    q = (data.get("q") or "").strip()
    if q:
        asked = True
        match = Q(email__iexact=q) | Q(pk__in=MemberId.objects.filter(
            body__in=bodies, member_id__iexact=q).values("professional_id"))
        words = q.split()
        name = Q()
        for word in words:
            name &= Q(full_name__icontains=word)
        people = people.filter(match | name)
    certifications = Certification.objects.filter(program__body__in=bodies)
    filtered = False
    if data.get("status"):
        certifications = certifications.filter(status=data["status"])
        filtered = True
    if data.get("program"):
        certifications = certifications.filter(program=data["program"])
        filtered = True
    if data.get("cycle_end_from") or data.get("cycle_end_to"):
        open_cycles = Q(cycles__closed_at__isnull=True)
        if data.get("cycle_end_from"):
            open_cycles &= Q(cycles__end__gte=data["cycle_end_from"])
        if data.get("cycle_end_to"):
            open_cycles &= Q(cycles__end__lte=data["cycle_end_to"])
        certifications = certifications.filter(open_cycles)
        filtered = True
    if filtered:
        asked = True
        people = people.filter(pk__in=certifications.values("professional_id"))
    return people, asked


@staff_required()
def index(request: HttpRequest) -> HttpResponse:
    bodies = staff_bodies(request.user)
    form = SearchForm(request.GET or None, bodies=bodies)
    page = None
    asked = False
    if form.is_bound and form.is_valid():
        people, asked = search_professionals(request.user, form.cleaned_data, bodies)
        if asked:
            people = people.order_by("full_name", "pk").prefetch_related(
                Prefetch("member_ids", queryset=MemberId.objects.filter(
                    body__in=bodies).select_related("body")),
                Prefetch("certifications", queryset=Certification.objects.filter(
                    program__body__in=bodies).select_related("program__body")
                    .prefetch_related("cycles")))
            page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    roles = staff_roles(request.user)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "staff/index.html", {
        "form": form, "page": page, "asked": asked, "query": query.urlencode(),
        "roles": roles, "all_roles": {r for names in roles.values() for r in names},
    })

