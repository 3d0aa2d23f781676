"""Abstract bases shared by the domain models: recoverable (soft) deletes with timestamps."""

from __future__ import annotations

from django.db import models


class SoftDeleteManager(models.Manager):
    """Hides rows whose deleted_at is set; `all_objects` sees them too."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class SoftDeletable(models.Model):
    """A row whose delete is recoverable: deleted_at hides it, restoring clears it
    (recert.core.actions.history.do_soft_delete / do_restore)."""

    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SoftDeleteManager()
    all_objects = models.Manager()  # noqa: DJ012 (a second manager, not a field)

    class Meta:
        abstract = True
        base_manager_name = "all_objects"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
