"""Events: when and where a catalog course runs (dates, time zone, place or online,
capacity, a registration link), found by the public events search."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models


def validate_time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"“{value}” is not a time zone; use a name like "
                              "America/New_York.") from None
    if value not in available_timezones():
        raise ValidationError(f"“{value}” is not a time zone; use a name like "
                              "America/New_York.")


class Event(models.Model):
    IN_PERSON, ONLINE, LIVE_ONLINE = "in_person", "online", "live_online"
    DELIVERIES = [(IN_PERSON, "in person"), (ONLINE, "online, at your own pace"),
                  (LIVE_ONLINE, "live online")]

    course = models.ForeignKey("core.Course", on_delete=models.CASCADE, related_name="events")
    delivery = models.CharField(max_length=12, choices=DELIVERIES)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=60, default="America/New_York",
                                 validators=[validate_time_zone])
    venue = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    registration_url = models.URLField("registration link", blank=True)
    # What the keyword search reads (course title and description, provider, place),
    # written by the actions; on PostgreSQL also as a tsvector with a GIN index.
    search_text = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["starts_at"]), models.Index(fields=["city"]),
                   models.Index(fields=["postal_code"])]

    def __str__(self) -> str:
        return f"{self.course.title} {self.starts_at:%Y-%m-%d}"

    def clean(self) -> None:
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            errors["ends_at"] = "The event cannot end before it starts."
        if self.delivery == self.IN_PERSON and not (self.city or self.postal_code):
            errors["city"] = "An in-person event needs its city or postal code."
        if errors:
            raise ValidationError(errors)

    @property
    def local_starts_at(self):
        return self.starts_at.astimezone(ZoneInfo(self.time_zone))

    @property
    def local_ends_at(self):
        return self.ends_at.astimezone(ZoneInfo(self.time_zone))
