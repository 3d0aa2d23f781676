"""The append-only history of changes: who, when, what, old and new values."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class HistoryIsAppendOnly(Exception):
    pass


class HistoryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise HistoryIsAppendOnly("History rows cannot be changed.")

    def delete(self):
        raise HistoryIsAppendOnly("History rows cannot be deleted.")


class History(models.Model):
    CREATE, UPDATE, DELETE, RESTORE = "create", "update", "delete", "restore"

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    professional = models.ForeignKey("core.Professional", on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="history")
    # {field: [old, new]} with values as JSON-safe strings.
    changes = models.JSONField(default=dict, blank=True)

    objects = HistoryQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "history"
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} #{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise HistoryIsAppendOnly("History rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise HistoryIsAppendOnly("History rows cannot be deleted.")
