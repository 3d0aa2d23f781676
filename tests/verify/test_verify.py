"""Public verification (issue 15): member ID + family name → program, status, valid-until
and nothing else; the same answer for an unknown ID, a wrong name and an opt-out; the
opt-out on the settings page; rate-limited per address."""

import re
from datetime import date

import pytest
import time_machine
from django.test import Client

from recert.core.actions.professionals import do_set_member_id
from recert.core.models import History
from recert.verify.lookup import family_matches


@pytest.fixture(autouse=True)
def no_padding(settings):
    settings.VERIFY_MIN_SECONDS = 0  # the timing floor is not what these tests check


@pytest.fixture
def alice_listed(alice, alice_cpt, sam):
    do_set_member_id(alice, alice_cpt.program.body, "AC-1234", actor=sam)
    return alice


def _result(response) -> str:
    html = response.content.decode()
    return re.search(r'<section id="result".*?</section>', html, re.S).group(0)


def _verify(client, member_id, family_name):
    return client.get("/verify/", {"member_id": member_id, "family_name": family_name})


def test_a_certificate_holder_is_found_by_id_and_family_name(alice_listed, alice_cpt):
    response = _verify(Client(), "ac-1234", "ARCHER")
    assert response.status_code == 200
    result = _result(response)
    assert "ACSM Certified Personal Trainer" in result
    assert "<td>active</td>" in result and "12/31/2028" in result
    page = response.content.decode()
    for private in ("Alice", "alice@example.com", "CPR"):
        assert private not in page
    assert response["Cache-Control"] == "no-store"


def test_unknown_ids_wrong_names_and_opt_outs_look_alike(alice_listed, alice):
    client = Client()
    unknown = _result(_verify(client, "AC-9999", "Archer"))
    wrong_name = _result(_verify(client, "AC-1234", "Brown"))
    client.force_login(alice.user)
    client.post("/settings/verification/", {})  # unticked: opt out
    opted_out = _result(_verify(Client(), "AC-1234", "Archer"))
    assert unknown == wrong_name == opted_out
    assert "No certification matches" in unknown
    assert History.objects.filter(professional=alice, object_type="publiclisting").exists()
    client.post("/settings/verification/", {"listed": "on"})
    assert "Certified Personal Trainer" in _result(_verify(Client(), "AC-1234", "Archer"))


def test_the_status_follows_the_engine(alice_listed, alice_cpt):
    with time_machine.travel(date(2029, 1, 15), tick=False):
        grace = _result(_verify(Client(), "AC-1234", "Archer"))
    with time_machine.travel(date(2031, 1, 15), tick=False):
        invalid = _result(_verify(Client(), "AC-1234", "Archer"))
    assert "<td>inactive</td>" in grace
    assert "<td>invalid</td>" in invalid


def test_lookups_are_rate_limited_per_address(alice_listed, settings):
    settings.VERIFY_RATE_LIMIT = 2
    client = Client(REMOTE_ADDR="203.0.113.9")
    with time_machine.travel("2026-12-01 12:00:10 +0000", tick=False):
        assert _verify(client, "AC-1", "x").status_code == 200
        assert _verify(client, "AC-2", "x").status_code == 200
        refused = _verify(client, "AC-1234", "Archer")
        assert refused.status_code == 429 and refused["Retry-After"] == "590"
        assert "Certified Personal Trainer" not in refused.content.decode()
        other = Client(REMOTE_ADDR="203.0.113.10")
        assert _verify(other, "AC-1234", "Archer").status_code == 200


def test_missing_fields_are_named(db):
    page = Client().get("/verify/", {"member_id": "", "family_name": ""}).content.decode()
    assert "Enter the member ID printed on the certificate." in page
    assert "Enter the family name of the certified person." in page


@pytest.mark.parametrize("full,typed,matches", [
    ("Alice Archer", "archer", True), ("Anna van der Berg", "van der Berg", True),
    ("Anna van der Berg", "Berg", True), ("José Núñez", "nunez", True),
    ("Seán O'Brien", "OBrien", True), ("Alice Archer", "Alice", False),
    ("Alice Archer", "", False), ("Alice Archer", "Alice Archer Smith", False),
])
def test_family_names_match_as_people_type_them(full, typed, matches):
    assert family_matches(full, typed) is matches
