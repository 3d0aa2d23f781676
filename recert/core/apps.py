from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "recert.core"
    label = "core"
    verbose_name = "Recertification"

    def ready(self) -> None:
        from recert.core import (
            checks,  # noqa: F401  (registers the system checks)
            signals,
        )

        signals.connect()
