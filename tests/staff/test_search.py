"""Finding professionals in the staff console (issue 12): by name, e-mail, member ID,
certification status, cycle end and program; keyset pages; another body's people never."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from recert.core.actions.certifications import do_create_certification
from recert.core.actions.professionals import do_create_professional, do_set_member_id
from recert.core.models import CertifyingBody
from tests.staff.people import *  # noqa: F403


def _search(user, **params):
    client = Client()
    client.force_login(user)
    return client.get("/staff/", params)


def _names(response) -> list[str]:
    return [p.full_name for p in response.context["page"]["rows"]]


def _people(n, programs, sam, *, start=0, program=("ACSM", "CPT")):
    made = []
    for i in range(start, start + n):
        person = do_create_professional(username=f"p{i:03d}", email=f"p{i:03d}@example.com",
                                        full_name=f"Person {i:03d} Zed", actor=None)
        do_create_certification(person, programs[program], date(2025, 3, 15), actor=sam)
        made.append(person)
    return made


def test_by_name_email_and_member_id(acsm_viewer, alice, alice_cpt, bob, bob_pt, sam):
    do_set_member_id(alice, CertifyingBody.objects.get(code="ACSM"), "A-1234", actor=sam)
    assert _names(_search(acsm_viewer, q="archer ALI")) == ["Alice Archer"]
    assert _names(_search(acsm_viewer, q="ALICE@example.com")) == ["Alice Archer"]
    assert _names(_search(acsm_viewer, q="a-1234")) == ["Alice Archer"]
    # Bob is ACE's: not found by ACSM staff, whatever the query.
    assert _names(_search(acsm_viewer, q="bob")) == []
    assert _names(_search(acsm_viewer, q="bob@example.com")) == []


def test_by_status_program_and_cycle_end(acsm_viewer, alice, alice_cpt, programs, sam):
    other = _people(1, programs, sam, program=("ACSM", "EP"))[0]
    ep = programs[("ACSM", "EP")]
    assert _names(_search(acsm_viewer, program=ep.pk)) == [other.full_name]
    assert _names(_search(acsm_viewer, status="active")) == ["Alice Archer",
                                                             other.full_name]
    assert _names(_search(acsm_viewer, status="invalid")) == []
    assert _names(_search(acsm_viewer, cycle_end_from="2028-12-01",
                          cycle_end_to="2028-12-31")) == ["Alice Archer", other.full_name]
    assert _names(_search(acsm_viewer, cycle_end_to="2027-01-01")) == []


def test_bad_input_names_the_field(acsm_viewer, alice_cpt, programs):
    response = _search(acsm_viewer, cycle_end_from="31/31/2028")
    assert response.status_code == 200
    assert "Enter a date as MM/DD/YYYY." in response.content.decode()
    ace = programs[("ACE", "PT")]
    response = _search(acsm_viewer, program=ace.pk)
    assert "Choose a program of your bodies" in response.content.decode()
    response = _search(acsm_viewer, q="Alice", after="nonsense", before="-3")
    assert response.status_code == 200 and _names(response) == ["Alice Archer"]
    response = _search(acsm_viewer, q="Alice", after=str(2**70))
    assert response.status_code == 200


def test_keyset_pages_walk_forward_and_back(acsm_viewer, alice_cpt, programs, sam):
    _people(60, programs, sam)
    first = _search(acsm_viewer, q="zed")
    page = first.context["page"]
    assert page["found"] == 60 and not page["has_previous"] and page["has_next"]
    seen = _names(first)
    second = _search(acsm_viewer, q="zed", after=page["last"])
    third = _search(acsm_viewer, q="zed", after=second.context["page"]["last"])
    seen += _names(second) + _names(third)
    assert seen == [f"Person {i:03d} Zed" for i in range(60)]
    assert not third.context["page"]["has_next"]
    back = _search(acsm_viewer, q="zed", before=second.context["page"]["first"])
    assert _names(back) == _names(first) and not back.context["page"]["has_previous"]
    assert "after=" in first.content.decode() and 'rel="next"' in first.content.decode()


def test_count_is_bounded(acsm_viewer, alice_cpt, programs, sam, monkeypatch):
    from recert.staff.views import search

    monkeypatch.setattr(search, "COUNT_LIMIT", 5)
    _people(8, programs, sam)
    response = _search(acsm_viewer, q="zed")
    assert "More than 5 professionals found" in response.content.decode()


@pytest.mark.parametrize("n", [3, 30])
def test_query_count_does_not_grow_with_rows(acsm_viewer, alice_cpt, programs, sam, n,
                                             django_assert_num_queries):
    _people(n, programs, sam)
    client = Client()
    client.force_login(acsm_viewer)
    with django_assert_num_queries(13):  # the menu's consoles: one query
        assert client.get("/staff/", {"q": "zed"}).status_code == 200


def test_refused_to_everyone_else(refusers):
    for who, user in refusers.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.get("/staff/", {"q": "alice"})
        if user is None:
            assert response.status_code == 302 and "/login/" in response.url
        elif who == "professional":
            assert response.status_code == 403
        else:  # any staff role may search, only among their bodies' people
            assert response.status_code == 200 and _names(response) == (
                ["Alice Archer"] if who == "without the role" else [])
