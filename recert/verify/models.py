"""A professional's choice about the public verification page (listed unless they opt out)."""

from __future__ import annotations

from django.db import models


class PublicListing(models.Model):
    professional = models.OneToOneField("core.Professional", on_delete=models.CASCADE,
                                        related_name="public_listing")
    opted_out = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.professional_id}: {'not listed' if self.opted_out else 'listed'}"


class IssuedBadge(models.Model):
    """An Open Badges 3.0 credential issued for a certification (recert/verify/badges.py):
    the signed text as handed out, the key that signed it, and its place in the body's
    status lists, whose bit says whether it still stands (recert/verify/status_list.py)."""

    uuid = models.UUIDField(unique=True)  # the credential's id: urn:uuid:<uuid>
    # SET_NULL, never CASCADE: a badge whose certification is gone keeps its index, and its
    # bit is set (a freed index would read "valid").
    certification = models.ForeignKey("core.Certification", on_delete=models.SET_NULL,
                                      null=True, related_name="badges")
    body = models.ForeignKey("core.CertifyingBody", on_delete=models.PROTECT,
                             related_name="+")
    status_list = models.PositiveIntegerField()
    status_index = models.PositiveIntegerField()
    key_id = models.CharField(max_length=40)
    valid_until = models.DateField()
    issued_at = models.DateTimeField()
    jwt = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["body", "status_list", "status_index"], name="badge_status_index_unique")]
        indexes = [models.Index(fields=["body", "status_list"])]

    def __str__(self) -> str:
        return f"badge {self.uuid} ({self.key_id})"
