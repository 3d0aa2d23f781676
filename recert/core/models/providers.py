"""Approved providers: organizations that list courses and report completions, approved by
certifying bodies for a period, with their own staff accounts (issue 14).

They live in core because the course catalog (core.Course) points at them and access.py
decides what a provider's staff may see; the provider's pages, events and rosters are the
providers app's."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class Provider(models.Model):
    name = models.CharField(max_length=200, unique=True)
    email = models.EmailField("contact e-mail", blank=True)
    website = models.URLField(blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def approvals_on(self, on: date) -> list[ProviderApproval]:
        """The bodies' approvals in force on `on` (uses prefetched `approvals`)."""
        return [a for a in self.approvals.all() if a.covers(on)]


class ProviderApproval(models.Model):
    """A body approved the provider for a period (ACSM's approved providers; an optional
    provider number the body issued)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="approvals")
    body = models.ForeignKey("core.CertifyingBody", on_delete=models.PROTECT, related_name="+")
    approved_from = models.DateField()
    approved_until = models.DateField(null=True, blank=True)
    provider_number = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["body__code", "-approved_from"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "body", "approved_from"],
                                    name="one_provider_approval_per_start"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} approved by {self.body.code} from {self.approved_from}"

    def clean(self) -> None:
        if self.approved_until and self.approved_from and self.approved_until < self.approved_from:
            raise ValidationError({"approved_until": "The approval cannot end before it starts."})

    def covers(self, on: date) -> bool:
        return self.approved_from <= on and (self.approved_until is None
                                             or on <= self.approved_until)


class ProviderMembership(models.Model):
    """A user who works for a provider: sees and changes that organization's data only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="provider_memberships")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="members")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["provider__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "provider"],
                                    name="one_membership_per_user_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.provider}"


class CourseCredit(models.Model):
    """The credits a course gives for a body other than the one whose number it carries
    (ACSM CECs of a course an approved provider runs; the ACSM provider number is the
    provider's approval's)."""

    course = models.ForeignKey("core.Course", on_delete=models.CASCADE,
                               related_name="other_credits")
    body = models.ForeignKey("core.CertifyingBody", on_delete=models.PROTECT, related_name="+")
    credits = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["body__code"]
        constraints = [
            models.UniqueConstraint(fields=["course", "body"], name="one_course_credit_per_body"),
            models.CheckConstraint(condition=models.Q(credits__gt=0),
                                   name="course_credit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.course} {self.body.code} {self.credits}"
