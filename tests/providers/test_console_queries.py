"""Query counts of the provider console's and the education staff's pages, pinned with one
upcoming event and with thirty (issue 16): the same queries for both."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo("America/Chicago")


def _count(client, url) -> int:
    assert client.get(url).status_code == 200, url  # warm: policies, content types
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries)


def _pages(fit_ed, ace_course, event):
    return {
        "provider home": ("provider", reverse("providers:home")),
        "provider course": ("provider", reverse("providers:course", args=[ace_course.pk])),
        "provider event": ("provider", reverse("providers:event", args=[event.pk])),
        "education index": ("staff", reverse("education:index")),
        "education course": ("staff", reverse("education:course", args=[ace_course.pk])),
        "education provider": ("staff", reverse("education:provider", args=[fit_ed.pk])),
    }


def _counts(pat, erin, fit_ed, ace_course, event) -> dict:
    clients = {"provider": Client(), "staff": Client()}
    clients["provider"].force_login(pat)
    clients["staff"].force_login(erin)
    return {name: _count(clients[who], url)
            for name, (who, url) in _pages(fit_ed, ace_course, event).items()}


def test_console_pages_cost_the_same_with_1_and_30_events(pat, erin, fit_ed, ace_course,
                                                          event):
    from recert.providers.actions import do_save_event

    one = _counts(pat, erin, fit_ed, ace_course, event)
    for i in range(29):
        start = datetime(2027, 4, 1, 9, 0, tzinfo=ZONE) + timedelta(days=i)
        do_save_event(ace_course, actor=pat, delivery="online", starts_at=start,
                      ends_at=start + timedelta(hours=3), time_zone="America/Chicago",
                      registration_url="https://fited.example.org/register")
    thirty = _counts(pat, erin, fit_ed, ace_course, event)
    assert one == thirty
    assert thirty == EXPECTED


# Session, user, the menu's consoles, then the page's own rows.
EXPECTED = {"provider home": 7, "provider course": 8, "provider event": 5,
            "education index": 7, "education course": 7, "education provider": 11}
