from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "recert.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from recert.accounts import lockouts, second_factor  # noqa: F401  (signal receivers)
