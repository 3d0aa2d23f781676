"""Issuing and regenerating a professional's private calendar feed (the only writes here)."""

from __future__ import annotations

import secrets

from django.db import transaction

from recert.core.actions import history
from recert.core.models import Professional
from recert.exports.models import CalendarFeed


def new_token() -> str:
    return secrets.token_urlsafe(32)


def calendar_feed_of(professional: Professional) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(professional=professional).first()


@transaction.atomic
def do_issue_calendar_feed(professional: Professional, *, actor) -> CalendarFeed:
    """Create the feed, or give it a fresh token: the previous URL stops working at once."""
    feed = CalendarFeed.objects.select_for_update().filter(professional=professional).first()
    if feed is None:
        feed = CalendarFeed.objects.create(professional=professional, token=new_token())
        action = "create"
    else:
        feed.token = new_token()
        feed.save(update_fields=["token"])
        action = "regenerate"
    # The token itself is a secret: the history says that it changed, not what it is.
    history.record(action, feed, actor=actor, professional=professional,
                   changes={"token": ["(secret)", "(new secret)"] if action == "regenerate"
                            else [None, "(secret)"]})
    return feed
