"""Query counts of every staff page about a professional or listing them, pinned with a
professional of 10 credit entries and one of 1,000 (issue 16): the same queries for both.

The console's pages that do not depend on anyone's log (lockouts, imports, policy, merges,
audits, education, petitions) are counted once with the 1,000-entry record in the database
and pinned too; the audit case pages are pinned against growth in tests/audits."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recert.core import mail
from recert.core.actions.certifications import do_create_certification
from recert.core.models import CreditEntry
from recert.core.models.staff import ROLES
from recert.staff.reports import REPORTS
from tests.factories import log_many
from tests.staff.people import make_staff

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)

# (url name, args, query string): every GET page of the console about one professional;
# PERSON, ENTRY and CERT stand for theirs.
PAGES = [
    ("staff:index", [], "?q=NAME"),
    ("staff:professional", ["PERSON"], ""),
    ("staff:messages", ["PERSON"], ""),
    *[("staff:message", ["PERSON", kind], "") for kind in mail.preview_kinds()],
    ("staff:message_html", ["PERSON", "reminder_days_90"], ""),
    ("staff:names", ["PERSON"], ""),
    ("staff:add_credit", ["PERSON"], ""),
    ("staff:correct_credit", ["ENTRY"], ""),
    ("staff:remove_credit", ["ENTRY"], ""),
    ("staff:correct_certification", ["CERT"], ""),
    ("staff:merge_preview", [], "?keep=OTHER&merge=PERSON"),
]
# The console's other pages (lists, reports, settings), whoever is in the database.
LISTS = [
    ("staff:index", [], ""),
    ("staff:index", [], "?status=active"),
    ("staff:lockouts", [], ""),
    ("staff:imports", [], ""),
    ("staff:policy", [], ""),
    ("staff:merges", [], ""),
    ("staff:audits", [], ""),
    ("staff:reports", [], ""),
    *[(f"staff:report_{key}", [], "") for key in REPORTS],
    ("education:index", [], ""),
    ("petitions:queue", [], ""),
]


def _certify(professional, programs, sam):
    cpt = do_create_certification(professional, programs[("ACSM", "CPT")], date(2025, 3, 15),
                                  actor=sam, cpr_aed_valid_until=date(2027, 6, 30))
    do_create_certification(professional, programs[("ACE", "PT")], date(2025, 1, 10),
                            actor=sam)
    return cpt


def _url(name, args, query, person, other):
    entry = CreditEntry.objects.filter(professional=person).order_by("pk").first()
    cert = person.certifications.order_by("pk").first()
    args = [person.pk if a == "PERSON" else entry.pk if a == "ENTRY"
            else cert.pk if a == "CERT" else a for a in args]
    query = (query.replace("NAME", person.full_name.split()[0])
             .replace("OTHER", str(other.pk)).replace("PERSON", str(person.pk)))
    return reverse(name, args=args) + query


def _count(client, url) -> int:
    assert client.get(url).status_code == 200, url  # warm: policies, content types
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries)


@pytest.fixture
def everyone(alice, bob, programs, sam, django_user_model):
    """A staff member with every role at both bodies, alice with 10 entries, bob with
    1,000, and carol (nothing logged) to merge them into."""
    from recert.core.actions.professionals import do_create_professional

    staff = make_staff("all", [(body, role) for body in ("ACSM", "ACE") for role in ROLES])
    carol = do_create_professional(username="carol", email="carol@example.com",
                                   full_name="Carol Cole", password="x", actor=None)
    for person in (alice, bob, carol):
        _certify(person, programs, sam)
    log_many(alice, 10, TODAY, "ACSM")
    log_many(bob, 1000, TODAY, "ACSM")
    client = Client()
    client.force_login(staff)
    return client, alice, bob, carol


@time_machine.travel(TODAY, tick=False)
def test_every_staff_page_about_a_professional_costs_the_same_at_10_and_1000_entries(
        everyone):
    client, small, big, other = everyone
    counts = {}
    for name, args, query in PAGES:
        counts[(name, *args)] = (_count(client, _url(name, args, query, small, other)),
                                 _count(client, _url(name, args, query, big, other)))
    grown = {page: pair for page, pair in counts.items() if pair[0] != pair[1]}
    assert not grown, grown
    assert {page: pair[0] for page, pair in counts.items()} == EXPECTED


@time_machine.travel(TODAY, tick=False)
def test_every_other_staff_page_costs_few_queries_with_1000_entries_around(everyone):
    client, small, big, other = everyone
    counts = {(name, query): _count(client, _url(name, args, query, big, other))
              for name, args, query in LISTS}
    assert counts == EXPECTED_LISTS


# Every page reads the session, the user, the staff member's bodies and roles (the menu's
# consoles: one query); then its own.
EXPECTED = {
    ("staff:index",): 13,  # the search: member ids, previous names, people, count
    ("staff:professional", "PERSON"): 21,  # certifications, credits with decisions, ...
    ("staff:messages", "PERSON"): 6,
    **{("staff:message", "PERSON", kind): 14 if kind.startswith("reminder_") else 6
       for kind in mail.preview_kinds()},  # a reminder is rendered from the evaluation
    ("staff:message_html", "PERSON", "reminder_days_90"): 13,
    ("staff:names", "PERSON"): 7,
    ("staff:add_credit", "PERSON"): 6,
    ("staff:correct_credit", "ENTRY"): 7,
    ("staff:remove_credit", "ENTRY"): 6,
    ("staff:correct_certification", "CERT"): 7,
    # What each of the two would bring: a COUNT per kind of row, per person (constant).
    ("staff:merge_preview",): 66,
}
EXPECTED_LISTS = {
    ("staff:index", ""): 6,
    ("staff:index", "?status=active"): 11,
    ("staff:lockouts", ""): 5,
    ("staff:imports", ""): 7,
    ("staff:policy", ""): 6,
    ("staff:merges", ""): 8,
    ("staff:audits", ""): 6,
    ("staff:reports", ""): 5,
    **{(f"staff:report_{key}", ""): 10 if key == "renewals-completed" else 9
       for key in REPORTS},
    ("education:index", ""): 7,
    ("petitions:queue", ""): 5,
}
