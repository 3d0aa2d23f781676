"""Merged duplicate profiles (issue 12): what a merge moved, so that it can be undone, and
the member IDs it kept as aliases."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ProfileMerge(models.Model):
    """One merge of `merged` into `kept`: every row it changed, with its value before."""

    kept = models.ForeignKey("core.Professional", on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey("core.Professional", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    # {"moved": [[model label, pk, field, old, new], ...], "removed_member_ids": [{row}],
    #  "user_active": bool}: what undo puts back (recert.core.actions.merges).
    changes = models.JSONField(default=dict)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"merge of #{self.merged_id} into #{self.kept_id}"


class MemberIdAlias(models.Model):
    """A member ID a merge did not keep (both profiles had one at the body): still the
    person's, so that it can be found and the merge undone."""

    professional = models.ForeignKey("core.Professional", on_delete=models.CASCADE,
                                     related_name="member_id_aliases")
    body = models.ForeignKey("core.CertifyingBody", on_delete=models.PROTECT, related_name="+")
    member_id = models.CharField("member id", max_length=40)
    merge = models.ForeignKey(ProfileMerge, on_delete=models.PROTECT, related_name="aliases")

    class Meta:
        ordering = ["body__code", "member_id"]
        indexes = [models.Index(fields=["body", "member_id"])]

    def __str__(self) -> str:
        return f"{self.body_id} {self.member_id} (alias)"
