"""Staff see the professionals of their bodies only; roles are per body (issue 12)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from recert.core.access import access_professional, visible_professionals
from recert.core.actions.staff import do_grant_staff_role
from recert.core.models import CertifyingBody


@pytest.fixture
def acsm_viewer(db, alice_cpt, django_user_model):
    user = django_user_model.objects.create_user("v", "v@example.com", "x")
    do_grant_staff_role(user, CertifyingBody.objects.get(code="ACSM"), "viewer", actor=None)
    return user


def test_staff_see_their_bodies_people_only(acsm_viewer, alice, bob, client):
    assert list(visible_professionals(acsm_viewer, as_staff=True)) == [alice]
    with pytest.raises(Http404):
        access_professional(acsm_viewer, bob.pk, as_staff=True)
    with pytest.raises(PermissionDenied):
        access_professional(acsm_viewer, alice.pk, "registrar")
    client.force_login(acsm_viewer)
    assert client.get(f"/staff/professionals/{alice.pk}/").status_code == 200
    assert client.get(f"/staff/professionals/{bob.pk}/").status_code == 404
    client.force_login(alice.user)
    assert client.get("/staff/").status_code == 403
