"""A professional (the person behind a user account) and their member ids at each body."""

from __future__ import annotations

from uuid import uuid4

from django.conf import settings
from django.db import models


class Professional(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="professional")
    full_name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address_line1 = models.CharField("address line 1", max_length=200, blank=True)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField("state / region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=100, blank=True)
    # Optional reminders (the spring renewal notice, the 90-day one); notices with a
    # deadline that has consequences always go (recert.core.mail).
    optional_reminders = models.BooleanField(
        "optional reminders", default=True,
        help_text="The spring renewal notice and the reminder 90 days before a cycle ends.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Changes whenever anything the engine reads about this person changes (credits, their
    # decisions and documents, certifications, cycles, CPR/AED, renewals' claims): the
    # cached evaluation is keyed by it (recert.core.evaluation, recert.core.signals). Only
    # `bump_evaluation_version` writes it, never save().
    evaluation_version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        # A save of an instance loaded before a change must not write its old version back
        # (the version would go back and an old cached evaluation would show again).
        if (not self._state.adding and kwargs.get("update_fields") is None
                and not kwargs.get("force_insert")):
            kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields
                                       if not f.primary_key and f.name != "evaluation_version"]
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        """The name pages, forms and exports show."""
        return self.full_name


class MemberId(models.Model):
    professional = models.ForeignKey(Professional, on_delete=models.CASCADE,
                                     related_name="member_ids")
    body = models.ForeignKey("core.CertifyingBody", on_delete=models.PROTECT, related_name="+")
    member_id = models.CharField("member id", max_length=40)

    class Meta:
        ordering = ["body__code"]
        verbose_name = "member id"
        constraints = [
            models.UniqueConstraint(fields=["body", "member_id"], name="member_id_unique_per_body"),
            models.UniqueConstraint(fields=["professional", "body"],
                                    name="one_member_id_per_body"),
        ]

    def __str__(self) -> str:
        return f"{self.body.code} {self.member_id}"


def cpr_card_path(instance: CprAed, filename: str) -> str:
    # Random name, suffix from the checked content (like documents): the user's file name
    # never decides what the stored file looks like.
    from recert.core.models.credits import SUFFIXES

    suffix = SUFFIXES.get(instance.card_content_type, "")
    return f"cpr/{instance.professional_id}/{uuid4().hex}{suffix}"


class CprAed(models.Model):
    """The person's CPR/AED certification: one record (provider, expiry, card) that every
    certification of theirs and the renewal form use. It is a fact about the person, not
    about each certification (issue 10)."""

    professional = models.OneToOneField(Professional, on_delete=models.CASCADE,
                                        related_name="cpr_aed")
    provider = models.CharField(max_length=200, blank=True)
    valid_until = models.DateField("valid until", null=True, blank=True)
    card = models.FileField(upload_to=cpr_card_path, max_length=300, blank=True)
    card_name = models.CharField(max_length=255, blank=True)
    card_content_type = models.CharField(max_length=100, blank=True)
    card_sha256 = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "CPR/AED certification"

    def __str__(self) -> str:
        return f"CPR/AED of {self.professional_id} until {self.valid_until or '—'}"
