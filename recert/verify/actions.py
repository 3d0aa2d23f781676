"""Writes of the verify app: a professional's opt-out, with a history row."""

from __future__ import annotations

from django.db import transaction

from recert.core.actions import history
from recert.core.models import History, Professional
from recert.verify.models import PublicListing


def is_listed(professional: Professional) -> bool:
    listing = PublicListing.objects.filter(professional=professional).first()
    return listing is None or not listing.opted_out


@transaction.atomic
def do_set_public_listing(professional: Professional, *, listed: bool, actor) -> PublicListing:
    listing, _ = PublicListing.objects.select_for_update().get_or_create(
        professional=professional)
    if listing.opted_out == (not listed):
        return listing
    before = listing.opted_out
    listing.opted_out = not listed
    listing.save()
    history.record(History.Action.UPDATE, listing, actor=actor, professional=professional,
                   changes={"opted_out": [before, listing.opted_out]})
    return listing
