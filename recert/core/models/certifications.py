"""A professional's certification in one program and its cycles (reporting periods)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ObjectDoesNotExist
from django.db import models

from recert.core import words
from recert.core.models.base import SoftDeletable
from recert.rules import model as rules_model


class Certification(SoftDeletable):
    STATUS_CHOICES = words.choices(words.STATUSES, rules_model.STATUSES)

    professional = models.ForeignKey("core.Professional", on_delete=models.PROTECT,
                                     related_name="certifications")
    program = models.ForeignKey("core.Program", on_delete=models.PROTECT,
                                related_name="certifications")
    certified_on = models.DateField()
    # The stored lifecycle state; the nightly job moves it as the engine says.
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default=rules_model.ACTIVE)
    # A hold by the body's yearly audit (recert.audits), beside the engine's status: the
    # audit's proof is missing ("inactive") or was not given in time ("invalid").
    AUDIT_INACTIVE, AUDIT_INVALID = "audit_inactive", "audit_invalid"
    AUDIT_HOLDS = [(AUDIT_INACTIVE, "Inactive: audit documents missing"),
                   (AUDIT_INVALID, "Invalid: audit not completed")]
    audit_hold = models.CharField(max_length=20, choices=AUDIT_HOLDS, blank=True)

    class Meta(SoftDeletable.Meta):
        ordering = ["certified_on", "id"]

    def __str__(self) -> str:
        return f"{self.program} ({self.professional})"

    @property
    def cpr_aed_valid_until(self) -> date | None:
        """The person's CPR/AED expiry (core.CprAed): the same for all their certifications.
        Select `professional__cpr_aed` with the rows to read it without a query each."""
        try:
            return self.professional.cpr_aed.valid_until
        except ObjectDoesNotExist:
            return None

    def current_cycle(self) -> Cycle | None:
        """The open cycle (uses prefetched cycles when present)."""
        open_cycles = [c for c in self.cycles.all() if c.closed_at is None]
        return max(open_cycles, key=lambda c: c.number, default=None)


class Cycle(models.Model):
    CLOSED_REASONS = [("renewed", "renewed"), ("exam", "passed the exam"), ("lapsed", "lapsed"),
                      ("reinstated", "reinstated by staff")]

    certification = models.ForeignKey(Certification, on_delete=models.CASCADE,
                                      related_name="cycles")
    number = models.PositiveIntegerField(default=1)
    start = models.DateField()
    end = models.DateField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=20, choices=CLOSED_REASONS, blank=True)

    class Meta:
        ordering = ["certification_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["certification", "number"],
                                    name="cycle_number_unique_per_certification"),
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")),
                                   name="cycle_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"cycle {self.number}: {self.start} – {self.end}"

