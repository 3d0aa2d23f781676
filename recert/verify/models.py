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
