"""Issuing and regenerating a professional's private calendar feed (the only writes here)."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction

from recert.core.actions import history
from recert.core.models import History, Professional
from recert.exports.models import CalendarFeed


def new_token() -> str:
    return secrets.token_urlsafe(32)


def calendar_feed_of(professional: Professional) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(professional=professional).first()


def do_ensure_calendar_feed(professional: Professional, *, actor) -> CalendarFeed:
    """The professional's feed, created on first use. Two first visits at once both try to
    create it: the one that loses the race (the one-feed-per-professional constraint refuses
    its row) reads and returns the winner's feed instead of failing."""
    feed = calendar_feed_of(professional)
    if feed is not None:
        return feed
    token = new_token()
    try:
        with transaction.atomic():
            feed = CalendarFeed.objects.create(professional=professional, token=token)
            history.record(History.Action.CREATE, feed, actor=actor, professional=professional,
                           changes={"token": [None, "(secret)"]})
    except IntegrityError:
        feed = calendar_feed_of(professional)
        if feed is None:
            raise
    return feed


@transaction.atomic
def do_issue_calendar_feed(professional: Professional, *, actor) -> CalendarFeed:
    """Create the feed, or give it a fresh token: the previous URL stops working at once."""
    feed = CalendarFeed.objects.select_for_update().filter(professional=professional).first()
    if feed is None:
        feed = CalendarFeed.objects.create(professional=professional, token=new_token())
        action = History.Action.CREATE
    else:
        feed.token = new_token()
        feed.save(update_fields=["token"])
        action = History.Action.REGENERATE
    # The token itself is a secret: the history says that it changed, not what it is.
    regenerated = action == History.Action.REGENERATE
    history.record(action, feed, actor=actor, professional=professional,
                   changes={"token": ["(secret)", "(new secret)"] if regenerated
                            else [None, "(secret)"]})
    return feed
