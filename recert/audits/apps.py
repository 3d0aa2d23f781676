from __future__ import annotations

from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "recert.audits"
    label = "audits"
    verbose_name = "Yearly audits"

    def ready(self) -> None:
        # The dashboard shows a case's banner from its part cached per evaluation version
        # (recert.core.signals): a case's change moves the version.
        from recert.audits.models import AuditCase
        from recert.core.signals import watch

        watch(AuditCase, lambda c: c.professional_id)
