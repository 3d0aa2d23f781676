from __future__ import annotations

from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "recert.staff"
    label = "staff"
    verbose_name = "Staff console"

    def ready(self):
        from django.db.models.signals import post_migrate

        from recert.staff.roles import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, sender=self)
