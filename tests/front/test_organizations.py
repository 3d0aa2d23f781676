"""One awarding organization, from the policy (issue 10): the report form's
Provider/Organization list is organizations.yaml; the picked organization is the awarding
organization (it decides the conversion) and the provider's name defaults to it."""

from __future__ import annotations

import importlib
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse

from recert.core.actions.credits import do_create_credit_entry
from recert.core.evaluation import evaluate_professional
from recert.core.models import CreditEntry, History
from recert.core.models.credits import AWARDING_ORGANIZATIONS
from recert.front.forms import OTHER, CreditForm, awarding_code
from recert.rules import load_policies

TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def report(client, **overrides):
    data = {"earned_on": "2026-03-14", "format": "conference", "amount": "1.5", "unit": "cec",
            "credit_type": "cec", "course_number": "", "provider": "NASM",
            "provider_other": "", "title": "Strength Summit", "grade": "", "published_on": ""}
    data.update(overrides)
    return client.post(reverse("report"), data)


def acsm_counted(alice, entry):
    return evaluate_professional(alice, TODAY).certifications[0].credit(str(entry.pk)).counted


def test_a_nasm_ceu_certificate_counts_ten_times_for_acsm(client, alice, alice_cpt):
    """Before issue 10 the form's default awarding organization made this 1.5 CECs."""
    client.force_login(alice.user)
    assert report(client).status_code == 302
    entry = CreditEntry.objects.get()
    assert (entry.awarded_by, entry.provider) == ("NASM", "NASM")
    assert acsm_counted(alice, entry) == Decimal("15")
    page = client.get(reverse("credit", args=[entry.pk])).content.decode()
    assert "ACSM CPT: 15" in page and "ACSM-CONV-DECIMAL" in page


def test_the_provider_who_ran_it_is_kept_beside_the_awarding_organization(client, alice,
                                                                          alice_cpt):
    client.force_login(alice.user)
    report(client, provider="NASM", provider_other="Metro Fitness Expo")
    entry = CreditEntry.objects.get()
    assert (entry.awarded_by, entry.provider) == ("NASM", "Metro Fitness Expo")
    edit = client.get(reverse("credit_edit", args=[entry.pk])).content.decode()
    assert '<option value="NASM" selected>' in edit and 'value="Metro Fitness Expo"' in edit


@pytest.mark.parametrize("picked,typed,provider", [
    ("American Red Cross", "", "American Red Cross"),
    ("American Heart Association", "", "American Heart Association"),
    (OTHER, "Local Gym Academy", "Local Gym Academy"),
])
def test_listed_providers_and_other_count_one_cec_per_hour(client, alice, alice_cpt, picked,
                                                           typed, provider):
    """"Other" (and the common providers routed to it): 1 CEC per hour (ACSM-CONV-HOUR)."""
    client.force_login(alice.user)
    response = report(client, provider=picked, provider_other=typed, amount="4", unit="hour",
                      format="course")
    assert response.status_code == 302
    entry = CreditEntry.objects.get()
    assert (entry.awarded_by, entry.provider) == ("OTHER", provider)
    assert acsm_counted(alice, entry) == Decimal("4")


def test_an_unknown_organization_code_is_a_form_error(client, alice, alice_cpt):
    client.force_login(alice.user)
    response = report(client, provider="XYZ")
    assert response.status_code == 200
    assert "Choose one of the listed organizations" in response.content.decode()
    assert not CreditEntry.objects.exists()


def test_every_listed_organization_has_a_conversion_or_is_other(db):
    policies = load_policies()
    choices = [v for v, _ in CreditForm().fields["provider"].choices if v]
    assert "American Red Cross" in choices and "American Heart Association" in choices
    for value in choices:
        assert awarding_code(value, policies.listed_providers) in AWARDING_ORGANIZATIONS


def test_existing_rows_naming_a_known_organization_are_mapped(alice):
    migration = importlib.import_module(
        "recert.core.migrations.0007_map_awarding_organizations")

    def entry(provider):
        return do_create_credit_entry(alice, actor=alice.user, earned_on=date(2026, 3, 1),
                                      title=f"From {provider}", format="course",
                                      amount=Decimal("1.5"), unit="cec", provider=provider)

    nasm, full_name, local = (entry("NASM"), entry("national academy of sports medicine"),
                              entry("Local Gym"))
    migration.forwards(apps, None)
    for row, code in ((nasm, "NASM"), (full_name, "NASM"), (local, "OTHER")):
        row.refresh_from_db()
        assert row.awarded_by == code
    assert full_name.provider == "national academy of sports medicine"  # kept as typed
    assert History.objects.filter(object_id=nasm.pk, action="update",
                                  changes__awarded_by=["OTHER", "NASM"]).exists()
