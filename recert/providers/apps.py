from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "recert.providers"
    label = "providers"
