"""Dated policy values set by a body's staff (issue 12): each is one more dated entry of a
policy parameter, read by the engine exactly like the shipped files' entries
(recert.core.policies.current_policies). Rows are never changed: a new value is a new row."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class PolicyValueIsAppendOnly(Exception):
    pass


class PolicyValue(models.Model):
    body = models.ForeignKey("core.CertifyingBody", on_delete=models.PROTECT,
                             related_name="policy_values")
    # The parameter as the policy files name it ("programs.CPT", "grace", "audit").
    parameter = models.CharField(max_length=80)
    # The field of it that this entry changed ("fee"), for the history page.
    field = models.CharField(max_length=40)
    starts_on = models.DateField("effective date")
    # The whole value in the files' form (strings; rules.parameters.raw), built by the
    # same loader as the shipped entries.
    value = models.JSONField()
    reason = models.TextField()
    source = models.CharField(max_length=500)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["body", "parameter", "starts_on"])]

    def __str__(self) -> str:
        return f"{self.body_id} {self.parameter}.{self.field} from {self.starts_on}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PolicyValueIsAppendOnly("Policy values cannot be changed; record a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PolicyValueIsAppendOnly("Policy values cannot be deleted; record a new one.")
