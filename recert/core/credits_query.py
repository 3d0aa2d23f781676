"""The credit list's filters, one query for the professional's page and the API alike."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from django.db.models import QuerySet


def filter_entries(entries: QuerySet, values: Mapping,
                   outcomes: Mapping[str, Collection[int]] | None = None) -> QuerySet:
    """`entries` narrowed by the list's filters, as the filter form cleaned them: earned
    from / to, format, provider (part of its name, any case), awarding organization (`body`)
    and how the entry counted (`outcome`: the ids of each outcome, `outcomes`, are the
    evaluation's). An empty or missing value does not filter."""
    if values.get("body"):
        entries = entries.filter(awarded_by=values["body"])
    if values.get("date_from"):
        entries = entries.filter(earned_on__gte=values["date_from"])
    if values.get("date_to"):
        entries = entries.filter(earned_on__lte=values["date_to"])
    if values.get("format"):
        entries = entries.filter(format=values["format"])
    if values.get("provider"):
        entries = entries.filter(provider__icontains=values["provider"])
    if values.get("outcome"):
        entries = entries.filter(pk__in=(outcomes or {}).get(values["outcome"], set()))
    return entries
