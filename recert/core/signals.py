"""Keeps Professional.evaluation_version moving with every row the engine reads.

Any save or delete of a credit entry, a decision on it, its documents, a certification, a
cycle or the CPR/AED record bumps the person's version in the same transaction, so the
cached evaluation (recert.core.evaluation.evaluation_of) of the old version is never read
again once the change commits. The renewals app registers its rows (renewals, their items
and claimed credits, invoices), the audits app its cases and the providers app petitions
through `watch`: besides the engine's input, the version covers every row that the pages
caching what they show per version read (the dashboard's banners, recert.front.views).
Writes that bypass save()/delete() (QuerySet.update, bulk_create, raw SQL) of any of these
rows must call `bump_evaluation_version` themselves.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import F, Subquery
from django.db.models.signals import post_delete, post_save

from recert.core.models import (
    Certification,
    CprAed,
    CreditDecision,
    CreditEntry,
    Cycle,
    Document,
    Professional,
)


def bump_evaluation_version(professional) -> None:
    """One UPDATE: `professional` is a Professional, an id, or a subquery of one id."""
    pk = getattr(professional, "pk", professional)
    Professional.objects.filter(pk=pk).update(evaluation_version=F("evaluation_version") + 1)


def bump_evaluation_versions(ids) -> None:
    """`bump_evaluation_version` of many professionals (ids) in one UPDATE."""
    Professional.objects.filter(pk__in=list(ids)).update(
        evaluation_version=F("evaluation_version") + 1)


def _of_entry(entry_id):
    return Subquery(CreditEntry.all_objects.filter(pk=entry_id).values("professional_id")[:1])


def _of_certification(certification_id):
    return Subquery(Certification.all_objects.filter(pk=certification_id)
                    .values("professional_id")[:1])


def watch(model, professional_of: Callable) -> None:
    """Bump the version of `professional_of(instance)` when a `model` row is saved or
    deleted."""
    def changed(sender, instance, raw=False, **kwargs):
        if raw:  # loaddata
            return
        bump_evaluation_version(professional_of(instance))

    uid = f"evaluation-version-{model._meta.label}"
    post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid + "-delete")


def _memberships(sender, instance, raw=False, **kwargs):
    from recert.core.context import memberships_changed

    if not raw:
        memberships_changed(instance.user_id)


def connect() -> None:
    # The menu's consoles, cached per user and memberships version (recert.core.context).
    from recert.core.models import ProviderMembership, StaffMembership

    for model in (StaffMembership, ProviderMembership):
        uid = f"consoles-{model._meta.label}"
        post_save.connect(_memberships, sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(_memberships, sender=model, weak=False, dispatch_uid=uid + "-del")
    watch(CreditEntry, lambda e: e.professional_id)
    watch(Certification, lambda c: c.professional_id)
    watch(CprAed, lambda c: c.professional_id)
    watch(CreditDecision, lambda d: _of_entry(d.credit_entry_id))
    watch(Document, lambda d: _of_entry(d.credit_entry_id))
    watch(Cycle, lambda c: _of_certification(c.certification_id))
