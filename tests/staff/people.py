"""The people of the staff console's People tests (not a test module; imported with
`from tests.staff.people import *`): alice holds an ACSM certification, bob an ACE one;
staff per body and role; `refusers` are the actors every page and action must refuse."""

from __future__ import annotations

from datetime import date

import pytest

from recert.core.actions.staff import do_grant_staff_role


def make_staff(username: str, grants: list[tuple[str, str]]):
    from django.contrib.auth import get_user_model

    from recert.core.models import CertifyingBody

    user = get_user_model().objects.create_user(username, f"{username}@example.com", "x")
    for body, role in grants:
        do_grant_staff_role(user, CertifyingBody.objects.get(code=body), role, actor=None)
    return user


@pytest.fixture
def bob_pt(bob, programs, sam):
    """Bob's ACE PT (another body's professional for ACSM staff)."""
    from recert.core.actions.certifications import do_create_certification

    return do_create_certification(bob, programs[("ACE", "PT")], date(2025, 6, 10), actor=sam)


@pytest.fixture
def acsm_registrar(alice_cpt):
    return make_staff("reg", [("ACSM", "registrar")])


@pytest.fixture
def acsm_viewer(alice_cpt):
    return make_staff("view", [("ACSM", "viewer")])


@pytest.fixture
def acsm_finance(alice_cpt):
    return make_staff("fin", [("ACSM", "finance")])


@pytest.fixture
def ace_registrar(programs):
    """Every role at ACE: staff of the other body for alice."""
    return make_staff("acereg", [("ACE", r) for r in
                                 ("viewer", "registrar", "finance", "auditor", "policy")])


@pytest.fixture
def refusers(ace_registrar, acsm_viewer, alice, bob):
    """{who: user or None}: ACE staff (another body: 404), ACSM viewer (no role: 403), a
    professional (403), anonymous (log-in)."""
    return {"other body": ace_registrar, "without the role": acsm_viewer,
            "professional": bob.user, "anonymous": None}
