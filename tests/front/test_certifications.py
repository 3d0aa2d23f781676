"""My certifications: add one (body, program, date, member id), CPR/AED date, cycles; bob."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from recert.core.models import Certification, MemberId


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(date(2026, 6, 1), tick=False):
        yield


def add(client, programs, body="ACSM", program=("ACSM", "CPT"), **extra):
    data = {"body": body, "program": programs[program].pk, "certified_on": "2025-03-15",
            "member_id": "", "cpr_aed_valid_until": ""}
    data.update(extra)
    return client.post(reverse("certifications"), data)


def test_add_certification_with_member_id(client, alice, programs):
    client.force_login(alice.user)
    response = add(client, programs, member_id="ACSM-778899", cpr_aed_valid_until="2027-01-31")
    assert response.status_code == 302
    certification = Certification.objects.get(professional=alice)
    assert certification.cpr_aed_valid_until == date(2027, 1, 31)
    assert MemberId.objects.get(professional=alice).member_id == "ACSM-778899"
    body = client.get(reverse("certifications")).content.decode()
    assert "member id ACSM-778899" in body and "1: 03/15/2025–12/31/2028 (current)" in body


def test_program_must_belong_to_body(client, alice, programs):
    client.force_login(alice.user)
    body = add(client, programs, body="ACE").content.decode()
    assert "is not a ACE program" in body or "is not an ACE program" in body
    assert 'value="2025-03-15"' in body and not Certification.objects.exists()


def test_bad_date_is_explained(client, alice, programs):
    client.force_login(alice.user)
    body = add(client, programs, certified_on="15/03/2025").content.decode()
    assert "Enter a real date as MM/DD/YYYY" in body
    body = add(client, programs, certified_on="2026-09-01").content.decode()
    assert "is in the future" in body


def test_member_id_taken_by_someone_else(client, alice, bob, programs):
    client.force_login(bob.user)
    add(client, programs, member_id="X1")
    client.force_login(alice.user)
    body = add(client, programs, member_id="X1").content.decode()
    assert ("That member id is already registered for ACSM; check the number or contact "
            "staff.") in body
    assert "Member id with this Body and Member id already exists" not in body
    assert 'id="id_member_id_error"' in body
    assert not Certification.objects.filter(professional=alice).exists()


def test_model_errors_are_shown_at_the_form_fields(client, alice, programs, monkeypatch):
    from django.core.exceptions import ValidationError

    from recert.front.views import certifications as views

    def refuse(*args, **kwargs):
        raise ValidationError({"certified_on": "Certified on is before the program existed.",
                               "deleted_at": "Something else."})

    monkeypatch.setattr(views, "do_create_certification", refuse)
    client.force_login(alice.user)
    body = add(client, programs).content.decode()
    assert 'id="id_certified_on_error"' in body
    assert "Certified on is before the program existed." in body and "Something else." in body


def test_cpr_date_and_cycles_and_history(client, alice, alice_cpt):
    client.force_login(alice.user)
    url = reverse("certification", args=[alice_cpt.pk])
    body = client.get(url).content.decode()
    assert "03/15/2025" in body and "12/31/2028" in body and "current" in body
    client.post(reverse("certification_cpr", args=[alice_cpt.pk]),
                {"cpr_aed_valid_until": "2028-02-29"})
    alice_cpt.refresh_from_db()
    assert alice_cpt.cpr_aed_valid_until == date(2028, 2, 29)
    body = client.get(url).content.decode()
    assert "cpr aed valid until 2027-06-30 → 2028-02-29" in body


def test_bob_gets_404(client, bob, alice_cpt):
    client.force_login(bob.user)
    assert client.get(reverse("certification", args=[alice_cpt.pk])).status_code == 404
    response = client.post(reverse("certification_cpr", args=[alice_cpt.pk]),
                           {"cpr_aed_valid_until": "2030-01-01"})
    assert response.status_code == 404
    alice_cpt.refresh_from_db()
    assert alice_cpt.cpr_aed_valid_until == date(2027, 6, 30)
    body = client.get(reverse("certifications")).content.decode()
    assert "data-certification" not in body and "No certifications yet." in body
