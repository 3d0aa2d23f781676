from __future__ import annotations

from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "recert.audits"
    label = "audits"
    verbose_name = "Yearly audits"
