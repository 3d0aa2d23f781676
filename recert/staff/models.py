"""The staff console's own records: imports of a body's registry export (issue 12)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RegistryImport(models.Model):
    """One uploaded registry file: its dry run (the plan of every row), then its commit
    (here for a small file, in the background for a large one, with progress)."""

    PLANNED, QUEUED, RUNNING, DONE, FAILED = "planned", "queued", "running", "done", "failed"
    STATUSES = [(PLANNED, "dry run"), (QUEUED, "waiting to run"), (RUNNING, "running"),
                (DONE, "committed"), (FAILED, "failed")]

    body = models.ForeignKey("core.CertifyingBody", on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    # The dry run: one dict per data row (recert.staff.imports.plan).
    rows = models.JSONField(default=list)
    planned = models.JSONField(default=dict)  # {action: rows} of the dry run
    status = models.CharField(max_length=10, choices=STATUSES, default=PLANNED)
    processed = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)  # {action: rows} as committed
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    committed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.body.code} import {self.file_name} ({self.get_status_display()})"

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 100
