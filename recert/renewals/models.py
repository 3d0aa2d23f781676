"""Renewal requests, their invoices and payments, and the reminders sent about a cycle."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from recert.core.models import Certification


class Renewal(models.Model):
    """A professional's request to renew one body's certifications whose cycles end together."""

    PENDING_PAYMENT, COMPLETED, CANCELLED = "pending_payment", "completed", "cancelled"
    STATUSES = [(PENDING_PAYMENT, "pending payment"), (COMPLETED, "completed"),
                (CANCELLED, "cancelled")]

    professional = models.ForeignKey("core.Professional", on_delete=models.PROTECT,
                                     related_name="renewals")
    body = models.ForeignKey("core.CertifyingBody", on_delete=models.PROTECT, related_name="+")
    cycle_end = models.DateField()
    certifications = models.ManyToManyField("core.Certification", through="RenewalItem",
                                            related_name="renewals")
    required = models.DecimalField(max_digits=9, decimal_places=3)
    cecs_through_body = models.DecimalField("CECs earned through the body", max_digits=9,
                                            decimal_places=3)
    cecs_other = models.DecimalField("CECs from other organizations", max_digits=9,
                                     decimal_places=3)
    cpr_aed_valid_until = models.DateField("CPR/AED valid until", null=True, blank=True)
    # The contact details as the professional confirmed them on the form.
    confirmed_details = models.JSONField(default=dict, blank=True)
    acknowledged_at = models.DateTimeField()
    requested_on = models.DateField()
    status = models.CharField(max_length=20, choices=STATUSES, default=PENDING_PAYMENT)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"renewal #{self.pk} {self.body.code} ({self.professional})"

    @property
    def cecs_total(self) -> Decimal:
        return self.cecs_through_body + self.cecs_other


class RenewalItem(models.Model):
    """One certification in a renewal, and the cycle it closes."""

    renewal = models.ForeignKey(Renewal, on_delete=models.CASCADE, related_name="items")
    certification = models.ForeignKey("core.Certification", on_delete=models.PROTECT,
                                      related_name="+")
    cycle = models.ForeignKey("core.Cycle", on_delete=models.PROTECT, related_name="+")
    # False once the renewal is cancelled, so that a new request may take the cycle.
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle"], condition=models.Q(active=True),
                                    name="one_active_renewal_per_cycle"),
        ]

    def __str__(self) -> str:
        return f"{self.certification} {self.cycle}"


class ClaimedCredit(models.Model):
    """A credit a renewal claimed, with what it counted for the renewal's body on the day
    the renewal was requested (the engine's `counted`). A claimed credit is confirmed (its
    facts fixed, its documents kept through the body's retention period) and, after a late
    renewal, does not count again in the next cycle (ACSM-GRACE-2)."""

    renewal = models.ForeignKey(Renewal, on_delete=models.CASCADE,
                                related_name="claimed_credits")
    credit_entry = models.ForeignKey("core.CreditEntry", on_delete=models.PROTECT,
                                     related_name="claims")
    counted = models.DecimalField(max_digits=9, decimal_places=3)

    class Meta:
        ordering = ["renewal_id", "credit_entry_id"]
        constraints = [
            models.UniqueConstraint(fields=["renewal", "credit_entry"],
                                    name="one_claim_per_credit_per_renewal"),
        ]

    def __str__(self) -> str:
        return f"{self.renewal}: credit #{self.credit_entry_id} ({self.counted})"


class InvoiceSequence(models.Model):
    """A counter row, locked while a number is taken, so invoice numbers never collide."""

    name = models.CharField(max_length=20, unique=True)
    last = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.last}"


class Invoice(models.Model):
    OPEN, PAID, VOID = "open", "paid", "void"
    STATUSES = [(OPEN, "open"), (PAID, "paid"), (VOID, "void")]

    number = models.CharField(max_length=20, unique=True)
    renewal = models.OneToOneField(Renewal, on_delete=models.PROTECT, related_name="invoice")
    professional = models.ForeignKey("core.Professional", on_delete=models.PROTECT,
                                     related_name="invoices")
    issued_on = models.DateField()
    currency = models.CharField(max_length=3, default="USD")
    total = models.DecimalField(max_digits=9, decimal_places=2)
    status = models.CharField(max_length=10, choices=STATUSES, default=OPEN)
    gateway = models.CharField(max_length=20, default="offline")
    # The Stripe Checkout Session open for this invoice, if any: its page and when Stripe
    # expires it. `checkout_attempt` counts the sessions made; a click while one is open
    # reuses it (the invoice row is locked while a session is made), so two clicks at once
    # make one session per invoice and attempt.
    checkout_session_id = models.CharField(max_length=255, blank=True)
    checkout_url = models.URLField(max_length=2000, blank=True)
    checkout_expires_at = models.DateTimeField(null=True, blank=True)
    checkout_attempt = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        permissions = [("record_payment", "Can record an offline payment of an invoice")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_paid(self) -> bool:
        return self.status == self.PAID


class InvoiceLine(models.Model):
    class Kind(models.TextChoices):
        """What a line charges for; code finds a line by its kind, never by its text."""

        FEE = "fee", "recertification fee"
        ADDITIONAL = "additional", "additional certification"
        LATE_FEE = "late_fee", "late fee"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FEE)
    description = models.CharField(max_length=300)
    amount = models.DecimalField(max_digits=9, decimal_places=2)

    class Meta:
        ordering = ["invoice_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


class Payment(models.Model):
    """Money received for an invoice. One per invoice; a retried request finds it again by
    its idempotency key (the Stripe session, or the offline form's token)."""

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="payment")
    gateway = models.CharField(max_length=20)
    reference = models.CharField(max_length=255, blank=True)
    amount = models.DecimalField(max_digits=9, decimal_places=2)
    received_at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=255, unique=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.invoice.number} {self.amount} via {self.gateway}"


class Reminder(models.Model):
    """A reminder e-mail about one cycle; each kind is sent at most once per cycle."""

    RENEWAL_INFO = "renewal_info"
    DAYS_90, DAYS_30, DAYS_7 = "days_90", "days_30", "days_7"
    GRACE_STARTED, GRACE_ENDING = "grace_started", "grace_ending"
    KINDS = [
        (RENEWAL_INFO, "renewal information (spring of the final year)"),
        (DAYS_90, "90 days before the cycle ends"),
        (DAYS_30, "30 days before the cycle ends"),
        (DAYS_7, "7 days before the cycle ends"),
        (GRACE_STARTED, "grace period started"),
        (GRACE_ENDING, "30 days before the grace period ends"),
    ]

    cycle = models.ForeignKey("core.Cycle", on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=KINDS)
    due_on = models.DateField()
    sent_at = models.DateTimeField()
    email = models.EmailField()

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "kind"],
                                    name="one_reminder_per_kind_per_cycle"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.cycle})"


class CertificationLifecycle(Certification):
    """Staff's view of a certification's lifecycle (cycles, statuses, invoices, payments,
    reminders), registered in the admin with the renewal actions."""

    class Meta:
        proxy = True
        verbose_name = "certification lifecycle"
        permissions = [
            ("record_exam", "Can record a passed exam (renews the certification)"),
            ("reinstate_certification", "Can reinstate a certification"),
        ]


class PaymentIssue(models.Model):
    """Money that arrived but could not be applied (a void invoice, a mismatched amount or
    checkout session, a second charge for a paid invoice): staff refund or resolve it."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="payment_issues")
    gateway = models.CharField(max_length=20)
    # The gateway's id of the charge (the Stripe Checkout Session), unique per gateway so a
    # replayed event records the issue once.
    reference = models.CharField(max_length=255)
    reason = models.TextField()
    payload = models.JSONField("payload summary", default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["resolved", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "reference"],
                                    name="one_issue_per_gateway_reference"),
        ]

    def __str__(self) -> str:
        return f"{self.gateway} {self.reference}: {self.reason}"
