from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "recert.providers"
    label = "providers"

    def ready(self) -> None:
        # A petition's state is engine input (the entry's `petition`), and the dashboard
        # shows petitions from its part cached per evaluation version (recert.core.signals).
        from recert.core.signals import watch
        from recert.providers.models import Petition

        watch(Petition, lambda p: p.professional_id)
