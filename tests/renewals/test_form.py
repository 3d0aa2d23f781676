"""The renewal form refuses bad input field by field and keeps what was typed
(ACSM-RENEW-1, ACSM-REQ-CPR); contact details are confirmed and can be edited."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from recert.core.models import History
from recert.renewals.models import Invoice, Renewal
from tests.factories import log, renewal_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(client, alice, alice_cpt):
    log(alice, date(2026, 2, 1), "30", "ACSM")
    log(alice, date(2026, 9, 1), "1.5", "NASM", "ceu")
    with time_machine.travel(date(2028, 5, 2), tick=False):
        client.force_login(alice.user)
        yield alice_cpt


def _errors(response, field):
    return " ".join(response.context["form"].errors.get(field, []))


def test_total_below_the_requirement_is_refused_and_kept(client, ready):
    response = renewal_form(client, ready, through="20", other="12.5")
    assert response.status_code == 200
    message = "Your CECs add up to 32.5; renewing needs at least 45."
    assert message in _errors(response, "cecs_through_body")
    assert message in response.content.decode()
    body = response.content.decode()
    assert 'value="20"' in body and 'value="12.5"' in body and 'value="2030-12-31"' in body
    assert 'checked' in body
    assert not Renewal.objects.exists() and not Invoice.objects.exists()


def test_expired_cpr_aed_is_refused(client, ready):
    response = renewal_form(client, ready, cpr="2028-05-01")
    assert response.status_code == 200
    assert "expired on May 1, 2028" in _errors(response, "cpr_aed_valid_until")
    assert 'value="2028-05-01"' in response.content.decode()
    assert not Renewal.objects.exists()


def test_missing_cpr_aed_is_refused_where_the_policy_requires_it(client, ready):
    response = renewal_form(client, ready, cpr="")
    assert "requires a current CPR and AED" in _errors(response, "cpr_aed_valid_until")


def test_box_not_ticked_is_refused(client, ready):
    response = renewal_form(client, ready, acknowledge=False)
    assert response.status_code == 200
    assert "Tick the acknowledgement box" in _errors(response, "acknowledge")
    body = response.content.decode()
    assert 'value="30"' in body and 'value="20"' in body
    assert not Renewal.objects.exists()


def test_not_a_number_is_refused(client, ready):
    response = renewal_form(client, ready, through="lots")
    assert 'Enter the CECs as a number, like "45" or "12.5".' in _errors(response,
                                                                          "cecs_through_body")
    assert 'value="lots"' in response.content.decode()


def test_field_errors_say_what_is_accepted_with_an_example(client, ready):
    response = renewal_form(client, ready, through="-1", other="1.23456", cpr="31/12/2030")
    assert 'like "45" or "12.5"' in _errors(response, "cecs_through_body")
    assert 'like "12.5" or "0.125"' in _errors(response, "cecs_other")
    assert "MM/DD/YYYY, like 06/30/2030, or pick it with the date picker" in _errors(
        response, "cpr_aed_valid_until")
    # Typed the way the app shows dates, it is accepted.
    assert renewal_form(client, ready, cpr="12/31/2030").status_code == 302
    ready.refresh_from_db()
    assert ready.cpr_aed_valid_until == date(2030, 12, 31)


def test_double_submit_makes_one_renewal_and_one_invoice(client, ready):
    first = renewal_form(client, ready)
    second = renewal_form(client, ready, through="31")
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert Renewal.objects.count() == 1 and Invoice.objects.count() == 1
    assert str(Renewal.objects.get().cecs_through_body.normalize()) == "31"


def test_contact_details_shown_with_an_edit_link_that_comes_back(client, ready, alice):
    page = client.get(reverse("renewals:start", args=[ready.pk]))
    assert "Alice Archer" in page.content.decode() and "alice@example.com" in page.content.decode()
    edit_url = reverse("renewals:contact") + "?next=" + reverse("renewals:start", args=[ready.pk])
    assert f'href="{edit_url}"' in page.content.decode()
    data = {"full_name": "Alice Archer", "email": "alice@example.com", "phone": "555-0100",
            "address_line1": "1 Main St", "address_line2": "", "city": "Springfield",
            "region": "IL", "postal_code": "62701", "country": "US",
            "next": reverse("renewals:start", args=[ready.pk])}
    response = client.post(reverse("renewals:contact"), data)
    assert response.status_code == 302 and response.url == data["next"]
    alice.refresh_from_db()
    assert alice.city == "Springfield"
    assert History.objects.filter(object_type="professional", action="update").exists()
    assert "Springfield" in client.get(data["next"]).content.decode()


def test_contact_next_must_be_local(client, ready):
    data = {"full_name": "Alice Archer", "email": "alice@example.com", "next": "https://evil.example/"}
    response = client.post(reverse("renewals:contact"), data)
    assert response.status_code == 302 and response.url == reverse("dashboard")
