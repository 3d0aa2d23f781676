"""Users and one-time claim tokens for accounts created by staff (failed log-ins: django-axes)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class User(AbstractUser):
    email = models.EmailField("e-mail address", unique=True)

    REQUIRED_FIELDS = ["email"]

    def save(self, *args, **kwargs):
        # One address, one account, whatever the case it was typed in.
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ClaimTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(used_at__isnull=True, expires_at__gt=timezone.now())


class ClaimToken(models.Model):
    """A one-time link that lets a professional created by staff set their own password.

    Only a hash of the token is stored: the link is shown or mailed once and never kept.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="claim_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    objects = ClaimTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"claim link for {self.user} until {self.expires_at:%Y-%m-%d %H:%M}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class VerifiedAddress(models.Model):
    """An e-mail address its user proved to read (followed the link mailed to it). Until
    then an address is used for nothing but that message (recert.accounts.verification)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="verified_addresses")
    email = models.EmailField()
    verified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "email"],
                                               name="one_verification_per_user_address")]

    def __str__(self) -> str:
        return f"{self.email} of {self.user} (verified {self.verified_at:%Y-%m-%d})"
