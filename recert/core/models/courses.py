"""The course catalog: courses that providers list and certifying bodies approve (ACE course
numbers) with their credits. One model for the report form's lookup, the provider's
listing, the events search and rosters."""

from __future__ import annotations

from django.db import models

from recert.core import words
from recert.rules import model as rules_model


class Course(models.Model):
    DRAFT, SUBMITTED, APPROVED, RETURNED = "draft", "submitted", "approved", "returned"
    STATUSES = [(DRAFT, "draft"), (SUBMITTED, "submitted for approval"),
                (APPROVED, "approved"), (RETURNED, "sent back")]

    # The body whose approval (and number, where it approves by number) the course carries.
    body = models.ForeignKey("core.CertifyingBody", on_delete=models.PROTECT,
                             related_name="courses")
    provider = models.ForeignKey("core.Provider", on_delete=models.PROTECT,
                                 related_name="courses")
    # Blank until the body issues or confirms it.
    course_number = models.CharField(max_length=40, blank=True)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    # Credits in the body's own unit as printed on the certificate (ACE: CECs, 0.1 per hour).
    credits = models.DecimalField(max_digits=6, decimal_places=2)
    format = models.CharField(max_length=30, default="course",
                              choices=words.choices(words.FORMATS, rules_model.FORMATS))
    status = models.CharField(max_length=12, choices=STATUSES, default=DRAFT)
    # Why the body's staff sent it back, for the provider.
    return_reason = models.CharField(max_length=500, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_from = models.DateField(null=True, blank=True)
    approved_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["body__code", "course_number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["body", "course_number"],
                                    condition=~models.Q(course_number=""),
                                    name="course_number_unique_per_body"),
        ]

    def __str__(self) -> str:
        return f"{self.course_number or '(no number)'} {self.title}"

    @property
    def is_approved(self) -> bool:
        return self.status == self.APPROVED

    @property
    def editable_by_provider(self) -> bool:
        return self.status in (self.DRAFT, self.RETURNED)
