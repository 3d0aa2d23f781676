"""One event as an iCalendar file (what a professional adds to their calendar)."""

from __future__ import annotations

from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as IcsEvent

from recert.providers.models import Event


def _place(event: Event) -> str:
    if event.delivery != Event.IN_PERSON:
        return event.get_delivery_display().capitalize()
    return ", ".join(p for p in (event.venue, event.address, event.city, event.postal_code)
                     if p)


def event_calendar(event: Event, credits) -> bytes:
    course = event.course
    calendar = Calendar()
    calendar.add("prodid", "-//Recert//CEC events//EN")
    calendar.add("version", "2.0")
    item = IcsEvent()
    item.add("uid", f"event-{event.pk}@recert")
    item.add("dtstamp", timezone.now())
    item.add("dtstart", event.local_starts_at)
    item.add("dtend", event.local_ends_at)
    item.add("summary", course.title)
    item.add("location", _place(event))
    lines = [f"{course.provider.name}. " + "; ".join(
        f"{format(value.normalize(), 'f')} {code} CECs" for code, value in credits) + "."]
    if course.course_number:
        lines.append(f"{course.body.code} course number {course.course_number}.")
    if event.registration_url:
        lines.append(f"Register: {event.registration_url}")
        item.add("url", event.registration_url)
    item.add("description", "\n".join(lines))
    calendar.add_component(item)
    return calendar.to_ical()
