"""The professional's own pages read through recert.core.access with `own=True`: never the
staff scope, even for a professional who is staff of the other person's body."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import Http404

from recert.core.access import (
    NOT_FOUND,
    access_certification,
    access_credit_entry,
    own_professional,
    visible_certifications,
    visible_professionals,
)
from recert.core.actions.staff import do_grant_staff_role
from recert.core.models import CertifyingBody
from tests.factories import log


@pytest.fixture
def bob_acsm_registrar(bob, alice_cpt):
    do_grant_staff_role(bob.user, CertifyingBody.objects.get(code="ACSM"), "registrar",
                        actor=None)
    return bob.user


def test_own_is_only_ones_own_rows(alice, bob, alice_cpt, bob_acsm_registrar):
    entry = log(alice, date(2026, 2, 1), "5")
    # As staff, bob reaches alice's rows ...
    assert alice in visible_professionals(bob_acsm_registrar)
    assert access_credit_entry(bob_acsm_registrar, entry.pk, as_staff=True) == entry
    # ... but never from his own pages.
    assert list(visible_professionals(bob_acsm_registrar, own=True)) == [bob]
    assert not visible_certifications(bob_acsm_registrar, own=True).exists()
    for lookup, pk in ((access_credit_entry, entry.pk), (access_certification, alice_cpt.pk)):
        with pytest.raises(Http404, match=NOT_FOUND):
            lookup(bob_acsm_registrar, pk, own=True)
    assert access_certification(alice.user, alice_cpt.pk, own=True) == alice_cpt


def test_own_excludes_a_role(bob_acsm_registrar, alice_cpt):
    with pytest.raises(ValueError):
        visible_certifications(bob_acsm_registrar, "registrar", own=True)


def test_an_account_without_a_profile_gets_the_one_404(sam):
    with pytest.raises(Http404, match=NOT_FOUND):
        own_professional(sam)


def test_a_registrar_who_is_a_professional_gets_404_on_anothers_pages(
        client, alice, alice_cpt, bob_acsm_registrar):
    entry = log(alice, date(2026, 2, 1), "5")
    client.force_login(bob_acsm_registrar)
    for url in (f"/credits/{entry.pk}/", f"/credits/{entry.pk}/edit/",
                f"/certifications/{alice_cpt.pk}/"):
        assert client.get(url).status_code == 404, url
