"""The public events search (issue 14): each filter, pagination, CECs per body, the .ics
and query counts that do not grow with the results."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from recert.providers.actions import do_save_course, do_save_event, do_submit_course

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")


def at(y, m, d, h=9):
    return datetime(y, m, d, h, tzinfo=CHICAGO)


def add_event(course, pat, start, **fields):
    values = {"delivery": "online", "starts_at": start, "ends_at": start.replace(hour=17),
              "time_zone": "America/Chicago"}
    values.update(fields)
    return do_save_event(course, actor=pat, **values)


@pytest.fixture
def catalog(ace_course, event, pat, fit_ed, bodies):
    """event: Kettlebell Flow in Springfield 62701 on 03/06/2027 (0.8 ACE, 8 ACSM);
    Running Nutrition online (ACSM, 5); Mobility Lab live online (ACE); a past event and a
    draft course's event that never show."""
    nutrition = do_save_course(fit_ed, actor=pat, body=bodies["ACSM"],
                               title="Running Nutrition", description="Fueling endurance "
                               "athletes", format="online_course", credits=Decimal("5"),
                               course_number="")
    do_submit_course(nutrition, actor=pat)
    mobility = do_save_course(fit_ed, actor=pat, body=bodies["ACE"], title="Mobility Lab",
                              format="workshop", credits=Decimal("0.6"), course_number="")
    do_submit_course(mobility, actor=pat)
    mobility.status, mobility.course_number = "approved", "CL12121"
    mobility.save()
    draft = do_save_course(fit_ed, actor=pat, body=bodies["ACE"], title="Secret Draft",
                           format="workshop", credits=Decimal("1"), course_number="")
    return {
        "kettlebell": event,
        "nutrition": add_event(nutrition, pat, at(2027, 2, 1)),
        "mobility": add_event(mobility, pat, at(2027, 5, 1), delivery="live_online"),
        "past": add_event(ace_course, pat, at(2025, 1, 10), delivery="in_person",
                          city="Springfield", postal_code="62701"),
        "draft": add_event(draft, pat, at(2027, 2, 2)),
    }


def titles(client, **params):
    response = client.get("/events/", params)
    assert response.status_code == 200
    return [event.course.title for event, _credits in response.context["results"]]


def test_anyone_finds_upcoming_events_of_approved_courses(client, catalog):
    assert titles(client) == ["Running Nutrition", "Kettlebell Flow", "Mobility Lab"]


@pytest.mark.parametrize("params, expected", [
    ({"q": "kettlebell"}, ["Kettlebell Flow"]),
    ({"q": "endurance athletes"}, ["Running Nutrition"]),
    ({"q": "CL12121"}, ["Mobility Lab"]),
    ({"q": "zumba"}, []),
    ({"body": "ACSM"}, ["Running Nutrition", "Kettlebell Flow"]),
    ({"body": "ACE"}, ["Kettlebell Flow", "Mobility Lab"]),
    ({"format": "workshop"}, ["Kettlebell Flow", "Mobility Lab"]),
    ({"where": "online"}, ["Running Nutrition", "Mobility Lab"]),
    ({"where": "in_person"}, ["Kettlebell Flow"]),
    ({"near": "62704"}, ["Kettlebell Flow"]),
    ({"near": "springfield"}, ["Kettlebell Flow"]),
    ({"near": "90210"}, []),
    ({"date_from": "2027-03-01", "date_to": "2027-03-31"}, ["Kettlebell Flow"]),
    ({"date_from": "2025-01-01", "date_to": "2025-01-31"}, ["Kettlebell Flow"]),
])
def test_each_filter(client, catalog, params, expected):
    assert titles(client, **params) == expected


def test_a_bad_filter_is_named_and_the_rest_still_applies(client, catalog):
    response = client.get("/events/", {"date_from": "tomorrow", "q": "kettlebell"})
    assert response.status_code == 400
    assert response.context["form"].errors["date_from"]
    assert [e.course.title for e, _ in response.context["results"]] == ["Kettlebell Flow"]
    assert client.get("/events/", {"date_from": "2027-05-01",
                                   "date_to": "2027-01-01"}).status_code == 400


def test_cecs_for_the_searchers_bodies(client, catalog, alice, alice_cpt):
    anonymous = dict(client.get("/events/", {"q": "kettlebell"}).context["results"])
    assert anonymous[catalog["kettlebell"]] == [("ACE", Decimal("0.80")),
                                                ("ACSM", Decimal("8.00"))]
    client.force_login(alice.user)  # ACSM CPT only
    page = client.get("/events/", {"q": "kettlebell"})
    assert dict(page.context["results"])[catalog["kettlebell"]] == [("ACSM", Decimal("8.00"))]
    assert "8 ACSM CECs" in page.content.decode()


def test_results_are_paginated_and_cost_the_same_queries(client, ace_course, pat,
                                                         django_assert_num_queries):
    for day in range(1, 26):
        add_event(ace_course, pat, at(2027, 1, day))
    client.get("/events/")
    # the form's bodies, the count, the page's events, their other credits
    with django_assert_num_queries(4):
        first = client.get("/events/")
    assert len(first.context["results"]) == 20 and first.context["page"].paginator.num_pages == 2
    assert "page=2" in first.content.decode()
    with django_assert_num_queries(4):
        second = client.get("/events/", {"page": "2"})
    assert len(second.context["results"]) == 5


def test_each_event_has_an_ics_and_a_registration_link(client, catalog):
    event = catalog["kettlebell"]
    page = client.get("/events/", {"q": "kettlebell"}).content.decode()
    assert 'href="https://fited.example.org/register"' in page
    response = client.get(f"/events/{event.pk}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    item = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(item["summary"]) == "Kettlebell Flow"
    assert item.decoded("dtstart") == at(2027, 3, 6)
    assert "Springfield" in str(item["location"])
    assert "0.8 ACE CECs; 8 ACSM CECs" in str(item["description"])
    assert client.get(f"/events/{catalog['draft'].pk}.ics").status_code == 404
    assert client.get("/events/999999.ics").status_code == 404
