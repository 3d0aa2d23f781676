from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "recert.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from recert.accounts import lockouts, second_factor  # noqa: F401  (signal receivers)
        from recert.accounts.verification import current_address, verified_email
        from recert.core import mail

        mail.register_addresses(verified=verified_email, current=current_address)
