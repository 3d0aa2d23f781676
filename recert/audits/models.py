"""The yearly audit of a body (ACSM-AUDIT-1): the audit of one year, one case per selected
renewal, one item per credit the renewal claimed (or added as a replacement), and the
reminders sent about a case's deadline."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone


class Audit(models.Model):
    """The audit of `body` run in `year`: the renewals requested in the previous calendar
    year, sampled per stratum (program) with `seed`. Started once per body and year."""

    SELECTING, OPEN = "selecting", "open"
    STATUSES = [(SELECTING, "selecting and notifying"), (OPEN, "open")]

    body = models.ForeignKey("core.CertifyingBody", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    seed = models.CharField(max_length=40)
    # The policy's numbers on the day the audit started (ACSM-AUDIT-1).
    rate = models.DecimalField(max_digits=5, decimal_places=4)
    response_days = models.PositiveIntegerField()
    replacement_days = models.PositiveIntegerField()
    inactive_months = models.PositiveIntegerField()
    rule = models.CharField(max_length=40)
    notice_on = models.DateField()
    # [{"program": code, "population": n, "selected": [renewal ids]}], in program order.
    strata = models.JSONField(default=list)
    status = models.CharField(max_length=20, choices=STATUSES, default=SELECTING)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "body__code"]
        constraints = [models.UniqueConstraint(fields=["body", "year"],
                                               name="one_audit_per_body_and_year")]

    def __str__(self) -> str:
        return f"{self.body.code} audit {self.year}"

    @property
    def population_year(self) -> int:
        return self.year - 1

    @property
    def selected_count(self) -> int:
        return sum(len(s["selected"]) for s in self.strata)

    @property
    def population_count(self) -> int:
        return sum(s["population"] for s in self.strata)


class AuditCase(models.Model):
    """One selected renewal and its professional's answer."""

    AWAITING, SUBMITTED, REPLACEMENT, PASSED, INACTIVE, INVALID = (
        "awaiting", "submitted", "replacement", "passed", "inactive", "invalid")
    STATUSES = [
        (AWAITING, "awaiting proof"),
        (SUBMITTED, "under review"),
        (REPLACEMENT, "replacement period"),
        (PASSED, "passed"),
        (INACTIVE, "inactive: audit documents missing"),
        (INVALID, "invalid: audit not completed"),
    ]
    # The professional may attach, note and submit in these.
    ANSWERING = (AWAITING, REPLACEMENT, INACTIVE)
    CLOSED = (PASSED, INVALID)

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="cases")
    renewal = models.ForeignKey("renewals.Renewal", on_delete=models.PROTECT,
                                related_name="audit_cases")
    professional = models.ForeignKey("core.Professional", on_delete=models.PROTECT,
                                     related_name="audit_cases")
    stratum = models.CharField(max_length=16)
    status = models.CharField(max_length=20, choices=STATUSES, default=AWAITING)
    notified_on = models.DateField()
    due_on = models.DateField()
    replacement_due_on = models.DateField(null=True, blank=True)
    inactive_until = models.DateField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submissions = models.PositiveSmallIntegerField(default=0)
    note = models.TextField("note to the auditor", blank=True, max_length=4000)
    # The auditor reviewing the case now; nobody else may review it until the claim expires.
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    claimed_until = models.DateTimeField(null=True, blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["audit_id", "stratum", "id"]
        constraints = [models.UniqueConstraint(fields=["audit", "renewal"],
                                               name="one_case_per_renewal_per_audit")]

    def __str__(self) -> str:
        return f"{self.audit} case #{self.pk} ({self.professional})"

    def deadline(self) -> date | None:
        """The last day the professional may submit, in the case's current state."""
        if self.status == self.AWAITING:
            return self.due_on
        if self.status == self.REPLACEMENT:
            return self.replacement_due_on
        if self.status == self.INACTIVE:
            return self.inactive_until
        return None

    def claim_holder(self, now=None):
        """The auditor holding an unexpired claim, or None."""
        now = now or timezone.now()
        if self.claimed_by_id and self.claimed_until and self.claimed_until > now:
            return self.claimed_by
        return None


class AuditItem(models.Model):
    """One credit of a case: claimed by the renewal (frozen at selection) or added as a
    replacement; the documents offered as its proof; the auditor's decision; one appeal."""

    PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
    OUTCOMES = [(PENDING, "not reviewed yet"), (ACCEPTED, "accepted"), (REJECTED, "rejected")]
    REASONS = [
        ("name_missing", "Your name is not on the document"),
        ("date_outside_cycle", "The date is outside the audited cycle"),
        ("content_out_of_scope", "The content is outside the scope of the certification"),
        ("length_not_shown", "The length or the CECs awarded are not shown"),
        ("not_legible", "The document is not legible"),
    ]
    APPEAL_PENDING, APPEAL_UPHELD, APPEAL_GRANTED = "pending", "upheld", "granted"
    APPEAL_STATES = [(APPEAL_PENDING, "appeal pending"), (APPEAL_UPHELD, "rejection upheld"),
                     (APPEAL_GRANTED, "appeal granted")]

    case = models.ForeignKey(AuditCase, on_delete=models.CASCADE, related_name="items")
    credit_entry = models.ForeignKey("core.CreditEntry", on_delete=models.PROTECT,
                                     related_name="audit_items")
    # What the renewal counted for it (renewals.ClaimedCredit), frozen at selection; 0 for
    # a replacement until the engine counts it.
    counted = models.DecimalField(max_digits=9, decimal_places=3, default=0)
    replacement = models.BooleanField(default=False)
    documents = models.ManyToManyField("core.Document", blank=True, related_name="+")
    # Set when a submission sent this credit's proof: its documents no longer change.
    locked_at_submission = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=OUTCOMES, default=PENDING)
    reason = models.CharField(max_length=30, choices=REASONS, blank=True)
    review_note = models.TextField(blank=True, max_length=2000)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    appeal = models.CharField(max_length=10, choices=APPEAL_STATES, blank=True)
    appeal_note = models.TextField(blank=True, max_length=4000)
    appeal_documents = models.ManyToManyField("core.Document", blank=True, related_name="+")
    appeal_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                          null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["case_id", "replacement", "credit_entry__earned_on", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "credit_entry"],
                                               name="one_item_per_credit_per_case")]

    def __str__(self) -> str:
        return f"case #{self.case_id}: credit #{self.credit_entry_id} ({self.outcome})"


class AuditReminder(models.Model):
    """A reminder about one deadline of a case; each kind once per deadline."""

    DAYS_14, DAYS_3 = "days_14", "days_3"
    KINDS = [(DAYS_14, "14 days before the due date"), (DAYS_3, "3 days before the due date")]
    DAYS_BEFORE = {DAYS_14: 14, DAYS_3: 3}

    case = models.ForeignKey(AuditCase, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=KINDS)
    deadline = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "kind", "deadline"],
                                               name="one_audit_reminder_per_deadline")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (case #{self.case_id}, due {self.deadline})"
