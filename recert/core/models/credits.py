"""Credit entries (one activity, reported once, as written on its certificate) and documents."""

from __future__ import annotations

from uuid import uuid4

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from recert.core.models.base import SoftDeletable
from recert.rules import model as rules_model

AWARDING_ORGANIZATIONS = ("ACSM", "ACE", "NSCA", "NASM", "AFAA", "OTHER")


def _choices(values) -> list[tuple[str, str]]:
    return [(v, v.replace("_", " ")) for v in values]


class CreditEntry(SoftDeletable):
    CREDIT_TYPES = [("none", "none"), ("cec", "CEC"), ("cme", "CME"),
                    ("credit_hour", "credit hour")]
    SOURCES = [("self_reported", "self-reported"), ("provider", "provider"), ("staff", "staff")]

    professional = models.ForeignKey("core.Professional", on_delete=models.PROTECT,
                                     related_name="credit_entries")
    earned_on = models.DateField("date earned")
    reported_on = models.DateField("date reported", default=timezone.localdate)
    title = models.CharField(max_length=300)
    format = models.CharField(max_length=30, choices=_choices(rules_model.FORMATS))
    amount = models.DecimalField(
        max_digits=9, decimal_places=3,
        validators=[MinValueValidator(0, message="The amount cannot be negative.")],
    )
    unit = models.CharField(max_length=20, choices=_choices(rules_model.UNITS))
    awarded_by = models.CharField("awarding organization", max_length=10,
                                  choices=[(v, v) for v in AWARDING_ORGANIZATIONS],
                                  default="OTHER")
    provider = models.CharField(max_length=200, blank=True)
    course_number = models.CharField(max_length=40, blank=True)
    credit_type = models.CharField(max_length=20, choices=CREDIT_TYPES, default="cec")
    grade = models.CharField(max_length=3, blank=True, help_text="College courses: A … F")
    published_on = models.DateField("publication date", null=True, blank=True)
    # "" means no petition; otherwise an ACE petition state.
    petition = models.CharField(max_length=10, blank=True,
                                choices=_choices(rules_model.PETITION_STATES))
    source = models.CharField(max_length=20, choices=SOURCES, default="self_reported")

    class Meta(SoftDeletable.Meta):
        ordering = ["-earned_on", "-id"]
        verbose_name_plural = "credit entries"
        indexes = [models.Index(fields=["professional", "earned_on"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0),
                                   name="credit_amount_not_negative",
                                   violation_error_message="The amount cannot be negative."),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.amount.normalize():f} {self.unit}, {self.earned_on})"



# The stored file's suffix, by the kind found in its content (recert.core.documents).
SUFFIXES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def document_path(instance: Document, filename: str) -> str:
    # The stored name is random and its suffix follows the checked content type: the name the
    # user gave (kept in a column) never chooses what the file looks like on disk.
    suffix = SUFFIXES.get(instance.content_type, "")
    return f"documents/{instance.credit_entry.professional_id}/{uuid4().hex}{suffix}"


class Document(models.Model):
    credit_entry = models.ForeignKey(CreditEntry, on_delete=models.PROTECT,
                                     related_name="documents")
    file = models.FileField(upload_to=document_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
