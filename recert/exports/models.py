"""The private calendar feed: a secret token is the capability to read one person's deadlines."""

from __future__ import annotations

from django.db import models


class CalendarFeed(models.Model):
    professional = models.OneToOneField("core.Professional", on_delete=models.CASCADE,
                                        related_name="calendar_feed")
    # Shown back to its owner on the calendar page, so kept as issued (not hashed);
    # regenerating replaces it and the old URL stops working.
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "calendar feed"

    def __str__(self) -> str:
        return f"calendar feed of {self.professional_id}"
