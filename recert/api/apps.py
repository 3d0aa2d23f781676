from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "recert.api"
    label = "api"
    verbose_name = "API"
