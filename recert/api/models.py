"""Access tokens for the API and the records that make POSTs safe to retry."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "rct"


def hash_secret(raw: str) -> str:
    """SHA-256 of the whole token: tokens are 256-bit random, so a fast hash is enough (a
    slow password hash would cost every API call)."""
    return hashlib.sha256(raw.encode()).hexdigest()


class AccessToken(models.Model):
    """A bearer token. Shown once when created; only its lookup prefix and hash are stored.

    `kind` says whose it is:
    - personal: acts as its user, on that user's own professional record only;
    - provider: acts for `provider` (an organization), created by one of its members; it
      works while its creator is still a member, and every member sees and may revoke it;
    - staff: carries its user's staff roles and bodies, read live on every call (taking a
      role away takes it from the token at once).
    The auth class resolves a token into a Principal, and resources ask the Principal what
    it may see, so adding a kind adds a branch there and nowhere else."""

    PERSONAL, PROVIDER, STAFF = "personal", "provider", "staff"
    KINDS = [(PERSONAL, "personal: my own log"), (PROVIDER, "provider organization"),
             (STAFF, "staff work")]
    READ, WRITE = "read", "write"
    SCOPES = [(READ, "read only"), (WRITE, "read and write")]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="access_tokens")
    kind = models.CharField(max_length=20, choices=KINDS, default=PERSONAL)
    provider = models.ForeignKey("core.Provider", on_delete=models.CASCADE, null=True,
                                 blank=True, related_name="access_tokens")
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=10, choices=SCOPES, default=READ)
    # The token is "rct_<prefix>_<secret>"; the prefix finds the row, the hash proves it.
    prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="provider_token_has_provider",
                condition=(models.Q(kind="provider", provider__isnull=False)
                           | (~models.Q(kind="provider") & models.Q(provider__isnull=True)))),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({TOKEN_PREFIX}_{self.prefix}_…)"

    @staticmethod
    def generate() -> tuple[str, str]:
        """(prefix, raw token)."""
        prefix = secrets.token_hex(6)
        return prefix, f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"

    def matches(self, raw: str) -> bool:
        return hmac.compare_digest(self.token_hash, hash_secret(raw))

    @property
    def can_write(self) -> bool:
        return self.scope == self.WRITE

    def refusal(self, now=None) -> str | None:
        """Why the token no longer works, or None while it does."""
        now = now or timezone.now()
        if self.revoked_at is not None:
            return "The token was revoked."
        if self.expires_at is not None and self.expires_at <= now:
            return "The token has expired."
        return None

    @property
    def display(self) -> str:
        return f"{TOKEN_PREFIX}_{self.prefix}_…"


class IdempotencyRecord(models.Model):
    """The first response to a POST with an Idempotency-Key, kept for a day per owner (a
    token, or a signed-in user for the pages' scripts). A row without a status is a request
    still running: a second one with the same key waits its turn (409)."""

    owner = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    content_type = models.CharField(max_length=100, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="one_response_per_key"),
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.key[:12]}… → {self.status or 'running'}"
