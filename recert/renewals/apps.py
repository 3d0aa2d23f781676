from django.apps import AppConfig


class RenewalsConfig(AppConfig):
    name = "recert.renewals"

    def ready(self) -> None:
        # A renewal's status, items and claimed credits are engine input (ACSM-GRACE-2):
        # a change to them moves the person's evaluation version (recert.core.signals).
        from django.db.models import Subquery

        from recert.core.signals import watch
        from recert.renewals.models import ClaimedCredit, Invoice, Renewal, RenewalItem

        def of_renewal(renewal_id):
            return Subquery(Renewal.objects.filter(pk=renewal_id).values("professional_id")[:1])

        watch(Renewal, lambda r: r.professional_id)
        watch(RenewalItem, lambda i: of_renewal(i.renewal_id))
        watch(ClaimedCredit, lambda c: of_renewal(c.renewal_id))
        # Not engine input: the dashboard shows the open invoices from its cached part.
        watch(Invoice, lambda i: i.professional_id)
