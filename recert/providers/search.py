"""The public events search: upcoming events of approved courses of providers, filtered by
keyword, body, format, online or near a place, and dates. PostgreSQL ranks nothing but
matches the keyword through the GIN-indexed tsvector; SQLite (the embedded default) looks
for every word in the search text."""

from __future__ import annotations

import re
from datetime import date

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from recert.core.models import Course, CourseCredit
from recert.providers.models import Event


def _postal_prefix(text: str) -> str | None:
    """The first three characters of a postal code (a US ZIP3 area), or None for a city."""
    compact = re.sub(r"\s", "", text).upper()
    return compact[:3] if any(c.isdigit() for c in compact) else None


def search_events(data: dict, today: date) -> QuerySet[Event]:
    events = Event.objects.filter(course__status=Course.APPROVED)
    # Dates are the event's own (local) dates; an event still running counts as upcoming.
    events = events.filter(ends_on__gte=data.get("date_from") or today)
    if data.get("date_to"):
        events = events.filter(starts_on__lte=data["date_to"])
    q = (data.get("q") or "").strip()
    if q:
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery

            events = events.filter(search_vector=SearchQuery(q, config="english",
                                                             search_type="websearch"))
        else:
            for word in q.split():
                events = events.filter(search_text__icontains=word)
    if data.get("body"):
        # A subquery rather than a join: no duplicate rows, so no DISTINCT over the page.
        events = events.filter(Q(course__body__code=data["body"]) | Q(
            course_id__in=CourseCredit.objects.filter(body__code=data["body"]).values(
                "course_id")))
    if data.get("format"):
        events = events.filter(course__format=data["format"])
    if data.get("where") == "online":
        events = events.filter(delivery__in=[Event.ONLINE, Event.LIVE_ONLINE])
    elif data.get("where") == "in_person":
        events = events.filter(delivery=Event.IN_PERSON)
    near = (data.get("near") or "").strip()
    if near:
        prefix = _postal_prefix(near)
        events = events.filter(delivery=Event.IN_PERSON).filter(
            Q(postal_code__istartswith=prefix) if prefix else Q(city__iexact=near))
    # The search columns are for the WHERE only: a page never carries them.
    return events.defer("search_text", "search_vector").select_related(
        "course__provider", "course__body").prefetch_related(
        Prefetch("course__other_credits",
                 queryset=CourseCredit.objects.select_related("body"))).order_by(
        "starts_on", "starts_at", "id")


def credits_of(event: Event, bodies: list[str] | None = None) -> list[tuple[str, object]]:
    """(body code, credits) the event's course gives, for `bodies` when given."""
    course = event.course
    found = [(course.body.code, course.credits)] + [
        (c.body.code, c.credits) for c in course.other_credits.all()]
    return [(code, value) for code, value in found if not bodies or code in bodies]
