"""The public events search (no log-in) and each event's .ics."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from recert.core.access import NOT_FOUND
from recert.core.models import Certification, Course
from recert.providers.forms import EventSearchForm
from recert.providers.ics import event_calendar
from recert.providers.models import Event
from recert.providers.search import credits_of, search_events

PAGE_SIZE = 20


def _searchers_bodies(user) -> list[str]:
    if not user.is_authenticated:
        return []
    return sorted(set(Certification.objects.filter(professional__user=user).values_list(
        "program__body__code", flat=True)))


def events(request: HttpRequest) -> HttpResponse:
    form = EventSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if form.is_bound and not form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
    page = Paginator(search_events(data, timezone.localdate()), PAGE_SIZE).get_page(
        request.GET.get("page"))
    bodies = _searchers_bodies(request.user)
    results = [(event, credits_of(event, bodies) or credits_of(event)) for event in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "providers/events.html", {
        "form": form, "page": page, "results": results, "bodies": bodies,
        "query": query.urlencode()}, status=400 if form.errors else 200)


def event_ics(request: HttpRequest, event_id: int) -> HttpResponse:
    event = Event.objects.select_related("course__provider", "course__body").prefetch_related(
        "course__other_credits__body").filter(pk=event_id,
                                               course__status=Course.APPROVED).first()
    if event is None:
        raise Http404(NOT_FOUND)
    response = HttpResponse(event_calendar(event, credits_of(event)),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response
