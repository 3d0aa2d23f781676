"""Credit entries (one activity, reported once, as written on its certificate) and documents."""

from __future__ import annotations

from uuid import uuid4

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from recert.core import words
from recert.core.models.base import SoftDeletable
from recert.rules import load_policies
from recert.rules import model as rules_model

# The codes a credit's awarding organization may have: the shipped policies' (the listed
# organizations, organizations.yaml, then the bodies). Fixed in the column's choices by the
# migrations, so a policy that adds one needs a migration (makemigrations --check says so).
AWARDING_ORGANIZATIONS = load_policies().awarding_organizations


def _choices(values) -> list[tuple[str, str]]:
    return [(v, v.replace("_", " ")) for v in values]


class CreditEntry(SoftDeletable):
    CREDIT_TYPES = [("none", "none"), ("cec", "CEC"), ("cme", "CME"),
                    ("credit_hour", "credit hour")]
    # Who entered the facts. "provider" (a provider reported the completion) and "staff"
    # (staff entered or corrected it) confirm the entry: see `confirmation()`.
    SELF_REPORTED, PROVIDER, STAFF = "self_reported", "provider", "staff"
    SOURCES = [(SELF_REPORTED, "self-reported"), (PROVIDER, "provider"), (STAFF, "staff")]
    # The facts of the activity, shared by every body (REVIEW-1). Once the entry is
    # confirmed the professional may no longer change them; the title and the documents
    # stay theirs to edit.
    FACT_FIELDS = ("earned_on", "amount", "unit", "format", "provider", "awarded_by",
                   "course_number", "credit_type", "grade", "published_on")

    # No index of its own: (professional, earned_on) below serves it as its prefix.
    professional = models.ForeignKey("core.Professional", on_delete=models.PROTECT,
                                     related_name="credit_entries", db_index=False)
    earned_on = models.DateField("date earned")
    reported_on = models.DateField("date reported", default=timezone.localdate)
    title = models.CharField(max_length=300)
    format = models.CharField(max_length=30,
                              choices=words.choices(words.FORMATS, rules_model.FORMATS))
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
    # Why staff last entered or changed the entry, shown to the professional on it.
    staff_reason = models.CharField("reason for the staff change", max_length=500, blank=True)

    class Meta(SoftDeletable.Meta):
        ordering = ["-earned_on", "-id"]
        verbose_name_plural = "credit entries"
        indexes = [
            models.Index(fields=["professional", "earned_on"]),
            # The newest entries across everyone (the admin's list, staff reports): the
            # default order read backwards, with the id that breaks ties.
            models.Index(fields=["earned_on", "id"], name="creditentry_earned_on_id"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0),
                                   name="credit_amount_not_negative",
                                   violation_error_message="The amount cannot be negative."),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.amount.normalize():f} {self.unit}, {self.earned_on})"

    def confirmation(self) -> str | None:
        """Who confirmed the facts of this entry, in words for the professional ("whom to
        ask"); None while they are the professional's own to change.

        Confirmed: a provider reported it, staff entered or corrected it, a body's reviewer
        decided on it (CreditDecision), or a renewal claimed it (renewals.ClaimedCredit,
        reached through its reverse accessor so that core does not import renewals).
        Uses prefetched `decisions` and `claims` when present."""
        if self.source == self.PROVIDER:
            who = f"the provider ({self.provider})" if self.provider else "the provider"
            return f"reported by {who}; ask the provider or staff to correct it"
        if self.source == self.STAFF:
            return "entered or corrected by staff; ask staff to change it"
        decisions = list(self.decisions.all()) if self.pk else []
        if decisions:
            bodies = ", ".join(sorted({d.body.code for d in decisions}))
            return f"reviewed by {bodies}; ask {bodies} staff to change it"
        claims = list(self.claims.all()) if self.pk and hasattr(self, "claims") else []
        if claims:
            bodies = ", ".join(sorted({c.renewal.body.code for c in claims}))
            return (f"claimed by your {bodies} renewal; ask {bodies} staff to correct it")
        return None


class CreditDecision(models.Model):
    """A person's decision on what a credit is worth for one body (REVIEW-1): an ACE
    petition grant, an audit reviewer's acceptance or rejection, a staff valuation. The
    current decision per body; every earlier one is in the entry's history."""

    ACCEPTED, REJECTED = "accepted", "rejected"
    OUTCOMES = [(ACCEPTED, "accepted"), (REJECTED, "rejected")]

    credit_entry = models.ForeignKey(CreditEntry, on_delete=models.CASCADE,
                                     related_name="decisions")
    body = models.ForeignKey("core.CertifyingBody", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=10, choices=OUTCOMES)
    # In the body's own credits; replaces the body's conversion when given (caps still apply).
    counted_as = models.DecimalField(
        max_digits=9, decimal_places=3, null=True, blank=True,
        validators=[MinValueValidator(0, message="The amount cannot be negative.")])
    # Shown to the professional on the entry.
    reason = models.CharField(max_length=500)
    # Staff's own note, not shown to the professional.
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["body__code"]
        constraints = [
            models.UniqueConstraint(fields=["credit_entry", "body"],
                                    name="one_decision_per_body_per_credit"),
        ]

    def __str__(self) -> str:
        return f"{self.body.code}: {self.outcome} ({self.credit_entry_id})"



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
