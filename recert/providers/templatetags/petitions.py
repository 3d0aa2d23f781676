"""Petition state on the professional's credit page and dashboard."""

from __future__ import annotations

from django import template

from recert.providers.models import Petition

register = template.Library()


@register.inclusion_tag("providers/_petition_status.html")
def petition_status(entry):
    """The credit's petitions, or a link to file one where a body waits for it."""
    from recert.providers.actions import bodies_waiting_for_petition

    petitions = list(entry.petitions.select_related("body"))
    filed = {p.body.code for p in petitions}
    waiting = [c for c in bodies_waiting_for_petition(entry) if c not in filed]
    return {"entry": entry, "petitions": petitions, "waiting": waiting}


@register.inclusion_tag("providers/_open_petitions.html")
def open_petitions(professional):
    """The professional's petitions not yet decided, or decided in the last 30 days (from
    the start of that day: the dashboard caches what it shows per day; one query)."""
    from datetime import datetime, time, timedelta

    from django.db.models import Q
    from django.utils import timezone

    recent = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=30),
                                                  time.min))
    petitions = list(Petition.objects.filter(professional=professional).filter(
        Q(state__in=Petition.OPEN) | Q(decided_at__gte=recent)).select_related(
        "body", "credit_entry").order_by("filed_at"))
    return {"petitions": petitions}
