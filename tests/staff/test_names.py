"""People's names (issue 12): family name and given names kept in step with the display
name every page uses, previous names with the day they were last in use, an optional date
of birth; a registrar sets them with a reason."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.test import Client

from recert.core.actions.professionals import do_update_names, do_update_professional
from recert.core.models import History, PreviousName, Professional
from recert.core.models.professionals import compose_name, split_name
from tests.staff.people import *  # noqa: F403


def _client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(("full", "parts"), [
    ("Alice Archer", ("Alice", "Archer")),
    ("Mary Ann Smith", ("Mary Ann", "Smith")),
    ("Cher", ("", "Cher")),
    ("  Bo   Li ", ("Bo", "Li")),
    ("", ("", "")),
])
def test_split_and_compose(full, parts):
    assert split_name(full) == parts
    assert compose_name(*parts) == " ".join(full.split())


def test_full_name_and_parts_stay_in_step(alice):
    assert (alice.given_names, alice.family_name) == ("Alice", "Archer")
    # Old code sets the display name only: the parts follow.
    do_update_professional(alice, actor=alice.user, full_name="Alice Bowman")
    alice.refresh_from_db()
    assert (alice.given_names, alice.family_name) == ("Alice", "Bowman")
    # New code sets the parts: the display name follows.
    alice.given_names, alice.family_name = "Mary Ann", "van der Berg"
    alice.save()
    alice.refresh_from_db()
    assert alice.full_name == "Mary Ann van der Berg"
    # Saving the contact form with the same display name keeps the parts as they were.
    do_update_professional(alice, actor=alice.user, full_name="Mary Ann van der Berg",
                           city="Boston")
    alice.refresh_from_db()
    assert (alice.given_names, alice.family_name) == ("Mary Ann", "van der Berg")
    # A new row given the parts composes its display name.
    created = Professional(user=alice.user, given_names="Jo", family_name="Park",
                           full_name="stale")
    created.sync_names()
    assert created.full_name == "Jo Park"


def test_a_name_change_keeps_the_previous_name(alice, sam):
    with time_machine.travel(date(2026, 6, 1), tick=False):
        do_update_names(alice, actor=sam, given_names="Alice", family_name="Bowman",
                        date_of_birth=date(1990, 4, 2), reason="Married; certificate seen",
                        name_changed_on=date(2026, 5, 20))
    alice.refresh_from_db()
    assert alice.full_name == "Alice Bowman" and alice.date_of_birth == date(1990, 4, 2)
    previous = PreviousName.objects.get(professional=alice)
    assert (previous.full_name, previous.used_until) == ("Alice Archer", date(2026, 5, 19))
    assert alice.name_on(date(2026, 5, 19)) == "Alice Archer"
    assert alice.name_on(date(2026, 5, 20)) == "Alice Bowman"
    row = History.objects.of(alice).filter(action="update").last()
    assert row.changes["family_name"] == ["Archer", "Bowman"]
    assert row.changes["full_name"] == ["Alice Archer", "Alice Bowman"]
    assert row.changes["reason"] == [None, "Married; certificate seen"]


def test_a_correction_keeps_no_previous_name(alice, sam):
    do_update_names(alice, actor=sam, given_names="Alicia", family_name="Archer",
                    reason="Typo at sign-up")
    assert not PreviousName.objects.filter(professional=alice).exists()
    assert Professional.objects.get(pk=alice.pk).full_name == "Alicia Archer"


def test_registrar_changes_names_from_the_console(acsm_registrar, alice, alice_cpt):
    client = _client(acsm_registrar)
    url = f"/staff/professionals/{alice.pk}/names/"
    assert 'value="Archer"' in client.get(url).content.decode()
    response = client.post(url, {"given_names": "Alice", "family_name": "Bowman",
                                 "date_of_birth": "1990-04-02",
                                 "name_changed_on": "2026-05-20", "reason": "Married"})
    assert response.status_code == 302
    page = client.get(f"/staff/professionals/{alice.pk}/").content.decode()
    assert "Alice Archer (until 05/19/2026)" in page and "04/02/1990" in page
    # Found by the name she had before.
    found = client.get("/staff/", {"q": "archer"}).context["page"]["rows"]
    assert [p.pk for p in found] == [alice.pk]


def test_names_bad_input_names_the_field(acsm_registrar, alice, alice_cpt):
    client = _client(acsm_registrar)
    url = f"/staff/professionals/{alice.pk}/names/"
    response = client.post(url, {"given_names": "A", "family_name": "", "reason": "",
                                 "date_of_birth": "2999-01-01",
                                 "name_changed_on": "2999-01-01"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Enter the family name." in body and "Enter the reason" in body
    assert "is not possible" in body and "is in the future" in body
    response = client.post(url, {"family_name": "B", "reason": "x",
                                 "date_of_birth": "31/02/1990"})
    assert "Enter a date as MM/DD/YYYY." in response.content.decode()
    assert Professional.objects.get(pk=alice.pk).full_name == "Alice Archer"


def test_names_page_refuses_who_may_not(refusers, alice, alice_cpt):
    expected = {"other body": 404, "without the role": 403, "professional": 403}
    url = f"/staff/professionals/{alice.pk}/names/"
    for who, user in refusers.items():
        client = _client(user)
        for response in (client.get(url), client.post(url, {"family_name": "X",
                                                            "reason": "r"})):
            if user is None:
                assert response.status_code == 302 and "/login/" in response.url
            else:
                assert response.status_code == expected[who], who
    assert Professional.objects.get(pk=alice.pk).full_name == "Alice Archer"
