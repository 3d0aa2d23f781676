"""Query counts of every page of the professional, pinned at 10 and at 1,000 credit entries
(issue 16): the same number of queries whatever the size of the log, with the evaluation in
the cache (the usual case) and without it."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recert.core.actions.certifications import do_create_certification
from recert.core.models import CreditEntry
from tests.factories import log_many

TODAY = date(2026, 6, 1)

# (url name, args, query string): every GET page of the professional's own.
PAGES = [
    ("dashboard", [], ""),
    ("credits", [], ""),
    ("credits", [], "?tab=all"),
    ("credits", [], "?tab=all&page=3&sort=title"),
    ("credits", [], "?tab=all&outcome=accepted&format=webinar&provider=gym"),
    ("credit", ["ENTRY"], ""),
    ("credit_edit", ["ENTRY"], ""),
    ("certifications", [], ""),
    ("certification", ["CERT"], ""),
    ("cpr_aed", [], ""),
    ("report", [], ""),
    ("exports:transcript", [], ""),
    ("exports:calendar", [], ""),
    ("settings", [], ""),
]
# Queries with the evaluation cached (a page read again, nothing changed). Every page reads
# the session, the user and the professional; the evaluation's pages then the
# certifications with the person's version and their open cycles.
CACHED = {
    # The dashboard: all below its heading from the cache (per version): no certification,
    # invoice, audit case or petition row; + the menu's consoles.
    "dashboard": 4,
    # The credit log: the labels, cycles, total and staff's removals from the cache (per
    # version), each row's HTML too; + the ids and titles of one page of entries (one more
    # than shown: is there a next page?) and the menu's consoles.
    "credits": 5,
    "credit": 18,  # + the entry and its owner, history, documents, decisions, petitions, removals
    "credit_edit": 9,
    "certifications": 10,
    "certification": 10,
    "cpr_aed": 6,
    "report": 6,
    "exports:transcript": 4,
    "exports:calendar": 10,
    "settings": 6,
}

# What a page costs more with an empty cache (the evaluation and the parts pages cache);
# the credit log reads no entry for its rows when the page shows none (6).
COLD = {"dashboard": (8,), "credits": (6, 7)}


def _url(name, args, query, entry, certification):
    args = [entry.pk if a == "ENTRY" else certification.pk if a == "CERT" else a for a in args]
    return reverse(name, args=args) + query


def _counts(client, alice, programs, sam, n):
    certification = do_create_certification(alice, programs[("ACSM", "CPT")],
                                            date(2025, 3, 15), actor=sam,
                                            cpr_aed_valid_until=date(2027, 6, 30))
    do_create_certification(alice, programs[("ACE", "PT")], date(2025, 1, 10), actor=sam)
    entry = log_many(alice, n, TODAY, "ACE")
    client.force_login(alice.user)
    counts = {}
    for name, args, query in PAGES:
        url = _url(name, args, query, entry, certification)
        assert client.get(url).status_code == 200, url
        with CaptureQueriesContext(connection) as cached:
            response = client.get(url)
        assert response.status_code == 200
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            client.get(url)
        counts[url] = (len(cached), len(cold))
    return counts


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("n", [10, 1000])
def test_every_page_costs_the_same_queries_at_10_and_1000_entries(
        client, alice, programs, sam, n):
    counts = _counts(client, alice, programs, sam, n)
    for (name, _, _), (url, (cached, cold)) in zip(PAGES, counts.items(), strict=True):
        assert cached == CACHED[name], (url, cached)
        # Without the cache: the credits (and their decisions, and late renewals' claims)
        # are read once more, in three queries, at any size; the dashboard reads its
        # certifications, their open cycles, open invoices, audit cases and petitions only
        # then (five more); the credit log its certifications, their cycles, the entries
        # removed by staff and the page's entries (four more, see COLD).
        assert cold - cached in COLD.get(name, (0, 3)), (url, cold, cached)


@time_machine.travel(TODAY, tick=False)
def test_the_credit_list_shows_one_page(client, alice, alice_cpt, settings):
    settings.CREDITS_PAGE_SIZE = 20
    log_many(alice, 45, TODAY, "ACE")
    client.force_login(alice.user)
    response = client.get(reverse("credits") + "?tab=all")
    assert len(response.context["rows"]) == 20 and response.context["has_next"]
    body = response.content.decode()
    assert "Entries 1–20 shown (page 1); 45 entries logged in all." in body
    assert 'rel="next" href="?tab=all&amp;page=2"' in body
    last = client.get(reverse("credits") + "?tab=all&page=3")
    assert len(last.context["rows"]) == 5 and not last.context["has_next"]
    assert 'rel="prev"' in last.content.decode()
    # Newest first across pages, no entry twice.
    seen = [e.pk for p in (1, 2, 3) for e, _ in client.get(
        reverse("credits") + f"?tab=all&page={p}").context["rows"]]
    assert len(set(seen)) == 45
    dates = [CreditEntry.objects.get(pk=pk).earned_on for pk in seen]
    assert dates == sorted(dates, reverse=True)
    # A mistyped page number shows the first page.
    for bad in ("x", "-2", "0"):
        response = client.get(reverse("credits") + f"?tab=all&page={bad}")
        assert response.status_code == 200 and response.context["page"] == 1
