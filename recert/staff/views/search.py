"""Finding a professional among the people of the staff member's bodies."""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from recert.core.access import staff_bodies, staff_roles, visible_professionals
from recert.core.models import Certification, MemberId, PreviousName
from recert.staff.decorators import staff_required
from recert.staff.forms import SearchForm

PAGE_SIZE = 25


def search_professionals(user, data: dict, bodies) -> tuple[object, bool]:
    """The professionals of `bodies` matching the cleaned search `data`; (queryset, whether
    anything was asked). Every condition is served by an index on PostgreSQL (core
    migration 0016: trigrams of the name, the upper-cased e-mail and member id) or is a
    subquery on certifications."""
    people = visible_professionals(user, as_staff=True)
    asked = False
    q = (data.get("q") or "").strip()
    if q:
        asked = True
        # The member ids first (a few rows by an index): a subquery inside the OR would
        # keep PostgreSQL from combining the indexes of the name and the e-mail.
        members = list(MemberId.objects.filter(body__in=bodies, member_id__iexact=q)
                       .values_list("professional_id", flat=True)[:100])
        match = Q(email__iexact=q)
        if members:
            match |= Q(pk__in=members)
        words = q.split()
        name = Q()
        previous = PreviousName.objects.all()
        for word in words:
            name &= Q(full_name__icontains=word)
            previous = previous.filter(full_name__icontains=word)
        # Found by a name they had before too (a few rows, looked up first like member ids).
        earlier = list(previous.values_list("professional_id", flat=True)[:100])
        if earlier:
            match |= Q(pk__in=earlier)
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


def with_listing(people, bodies):
    """What a row of the results shows, in a fixed number of queries: the member ids and
    certifications (with cycles) of the searcher's bodies."""
    return people.prefetch_related(
        Prefetch("member_ids", queryset=MemberId.objects.filter(
            body__in=bodies).select_related("body")),
        Prefetch("certifications", queryset=Certification.objects.filter(
            program__body__in=bodies).select_related("program__body")
            .prefetch_related("cycles")))


def _cursor(value) -> int | None:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk < 2**63 else None


def keyset_page(people, *, after: int | None, before: int | None, size: int = PAGE_SIZE
                ) -> tuple[list, bool, bool]:
    """One page of `people` in (full_name, pk) order, after or before the row with that
    pk (keyset pagination: the database reads the index from the cursor on, however deep
    the page; an offset would read and drop every row before it). Returns (rows, whether a
    previous page exists, whether a next page exists)."""
    anchor_pk = after or before
    anchor = (people.filter(pk=anchor_pk).values_list("full_name", "pk").first()
              if anchor_pk else None)
    if anchor is None:
        rows = list(people.order_by("full_name", "pk")[:size + 1])
        return rows[:size], False, len(rows) > size
    name, pk = anchor
    if after:
        rows = list(people.filter(Q(full_name__gt=name) | Q(full_name=name, pk__gt=pk))
                    .order_by("full_name", "pk")[:size + 1])
        return rows[:size], True, len(rows) > size
    rows = list(people.filter(Q(full_name__lt=name) | Q(full_name=name, pk__lt=pk))
                .order_by("-full_name", "-pk")[:size + 1])
    return list(reversed(rows[:size])), len(rows) > size, True


# Counting stops here: "more than 1,000" is as useful as the exact number and costs a
# bounded read at 100,000 professionals.
COUNT_LIMIT = 1000


@staff_required()
def index(request: HttpRequest) -> HttpResponse:
    bodies = staff_bodies(request.user)
    form = SearchForm(request.GET or None, bodies=bodies)
    page = None
    asked = False
    if form.is_bound and form.is_valid():
        people, asked = search_professionals(request.user, form.cleaned_data, bodies)
        if asked:
            people = with_listing(people, bodies)
            rows, has_previous, has_next = keyset_page(
                people, after=_cursor(request.GET.get("after")),
                before=_cursor(request.GET.get("before")))
            found = people.order_by()[:COUNT_LIMIT + 1].count()
            page = {"rows": rows, "has_previous": has_previous, "has_next": has_next,
                    "found": min(found, COUNT_LIMIT), "more": found > COUNT_LIMIT,
                    "first": rows[0].pk if rows else None,
                    "last": rows[-1].pk if rows else None}
    roles = staff_roles(request.user)
    query = request.GET.copy()
    for key in ("after", "before", "page"):
        query.pop(key, None)
    return render(request, "staff/index.html", {
        "form": form, "page": page, "asked": asked, "query": query.urlencode(),
        "roles": roles, "all_roles": {r for names in roles.values() for r in names},
    })
