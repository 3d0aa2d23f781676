"""Events: when and where a catalog course runs (dates, time zone, place or online,
capacity, a registration link), found by the public events search."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


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
    # The local dates at the event (what the search's date range compares), kept by save().
    starts_on = models.DateField(null=True, editable=False, db_index=True)
    ends_on = models.DateField(null=True, editable=False)
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

    def save(self, *args, **kwargs):
        if self.starts_at and self.ends_at and self.time_zone:
            self.starts_on = self.local_starts_at.date()
            self.ends_on = self.local_ends_at.date()
        super().save(*args, **kwargs)

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


class Roster(models.Model):
    """One upload of a completion roster for a course (CSV or xlsx)."""

    QUEUED, DONE = "queued", "done"
    STATUSES = [(QUEUED, "being matched"), (DONE, "matched")]

    course = models.ForeignKey("core.Course", on_delete=models.PROTECT, related_name="rosters")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=STATUSES, default=QUEUED)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"roster {self.pk} of {self.course_id} ({self.file_name})"


class RosterRow(models.Model):
    """A completion as the provider reported it, and what became of it: a credit in the
    professional's log, held (unmatched or ambiguous) or withdrawn."""

    PENDING, CREDITED, HELD, WITHDRAWN = "pending", "credited", "held", "withdrawn"
    STATES = [(PENDING, "waiting to be matched"), (CREDITED, "credited"),
              (HELD, "held"), (WITHDRAWN, "withdrawn")]

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="rows")
    course = models.ForeignKey("core.Course", on_delete=models.PROTECT, related_name="+")
    line = models.PositiveIntegerField()
    member_id = models.CharField(max_length=40, blank=True)
    email = models.CharField(max_length=254, blank=True)
    name = models.CharField(max_length=200, blank=True)
    completed_on = models.DateField()
    credits = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    state = models.CharField(max_length=10, choices=STATES, default=PENDING)
    # Why it is held, or how it was credited (new, already credited, merged), in words.
    note = models.CharField(max_length=300, blank=True)
    professional = models.ForeignKey("core.Professional", on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    credit_entry = models.ForeignKey("core.CreditEntry", on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="roster_rows")
    # The professional's own entry's facts before a merge, to give them back on withdrawal.
    merged_from = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["roster", "line"]
        indexes = [models.Index(fields=["course", "professional"]),
                   models.Index(fields=["state", "email"])]

    def __str__(self) -> str:
        return f"row {self.line} of roster {self.roster_id}"


class Petition(models.Model):
    """A professional asks a body to count a credit that is not pre-approved (ACE-PETITION-1):
    tracked from filing to the body's decision, with questions and answers on it."""

    PENDING, MORE_INFORMATION, APPROVED, DENIED = (
        "pending", "more_information", "approved", "denied")
    STATES = [(PENDING, "waiting for review"), (MORE_INFORMATION, "more information asked"),
              (APPROVED, "approved"), (DENIED, "denied")]
    OPEN = (PENDING, MORE_INFORMATION)

    credit_entry = models.ForeignKey("core.CreditEntry", on_delete=models.PROTECT,
                                     related_name="petitions")
    body = models.ForeignKey("core.CertifyingBody", on_delete=models.PROTECT, related_name="+")
    professional = models.ForeignKey("core.Professional", on_delete=models.PROTECT,
                                     related_name="petitions")
    state = models.CharField(max_length=20, choices=STATES, default=PENDING)
    description = models.TextField("course description or agenda")
    hours = models.DecimalField("hours of structured learning", max_digits=6, decimal_places=2)
    certificate = models.ForeignKey("core.Document", on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    note = models.TextField(blank=True)
    # The body's answer: credits granted (may differ from the hours asked) or the reason.
    credits_granted = models.DecimalField(max_digits=6, decimal_places=2, null=True,
                                          blank=True)
    reason = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    promoted_course = models.ForeignKey("core.Course", on_delete=models.SET_NULL, null=True,
                                        blank=True, related_name="+")
    filed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["filed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["credit_entry", "body"],
                                    name="one_petition_per_credit_and_body"),
        ]

    def __str__(self) -> str:
        return f"{self.body.code} petition for credit {self.credit_entry_id}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN


class PetitionMessage(models.Model):
    """A reviewer's question or the professional's answer, on the same petition."""

    QUESTION, ANSWER = "question", "answer"
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=[(QUESTION, "question"), (ANSWER, "answer")])
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+")
    text = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on petition {self.petition_id}"
