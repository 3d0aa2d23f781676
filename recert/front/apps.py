from __future__ import annotations

from django.apps import AppConfig


class FrontConfig(AppConfig):
    name = "recert.front"
    label = "front"
    verbose_name = "Pages"
