from django.apps import AppConfig


class VerifyConfig(AppConfig):
    name = "recert.verify"
    label = "verify"
    verbose_name = "Public verification"
