"""Dashboard cards: gauge, numbers, dates, status, blockers in words, fee, Renew now, chart."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from recert.core.actions.certifications import do_create_certification
from recert.core.actions.credits import do_create_credit_entry


def credit(professional, day, amount, **fields):
    values = {"title": f"Course {day}", "format": "course", "unit": "hour", "provider": "NASM"}
    values.update(fields)
    return do_create_credit_entry(professional, actor=None, earned_on=day,
                                  amount=Decimal(amount), **values)


@time_machine.travel(date(2026, 6, 1), tick=False)
def test_card_shows_gauge_numbers_and_blockers(client, alice, alice_cpt):
    credit(alice, date(2026, 1, 10), "33")
    client.force_login(alice.user)
    body = client.get(reverse("dashboard")).content.decode()
    assert 'role="progressbar"' in body
    assert 'aria-valuemin="0" aria-valuemax="45" aria-valuenow="33"' in body
    assert "CECs earned for ACSM CPT: 33 of 45" in body
    assert "<dd>12</dd>" in body  # remaining
    assert "12 CECs short" in body and "renewal opens on 01/01/2028" in body
    assert "03/15/2025 – 12/31/2028" in body and "944 days" in body
    assert "Active" in body and "$45.00" in body
    assert "Renew now" not in body
    assert "<svg" in body and 'class="chart-earned"' in body and 'class="chart-pace"' in body


@time_machine.travel(date(2028, 6, 1), tick=False)
def test_renew_now_exactly_when_engine_says(client, alice, alice_cpt, sam):
    from recert.core.actions.certifications import do_update_certification

    credit(alice, date(2028, 1, 10), "45")
    client.force_login(alice.user)
    body = client.get(reverse("dashboard")).content.decode()
    assert "CPR/AED expired on 06/30/2027" in body and "Renew now" not in body
    do_update_certification(alice_cpt, actor=sam, cpr_aed_valid_until=date(2029, 6, 30))
    body = client.get(reverse("dashboard")).content.decode()
    assert "Renewal open" in body
    assert reverse("renewals:start", args=[alice_cpt.pk]) in body and "Renew now" in body
    assert 'aria-valuenow="45"' in body


@time_machine.travel(date(2028, 6, 1), tick=False)
def test_cpr_expired_blocks_in_words(client, alice, programs, sam):
    do_create_certification(alice, programs[("ACSM", "CPT")], date(2025, 3, 15), actor=sam,
                            cpr_aed_valid_until=date(2026, 1, 31))
    credit(alice, date(2028, 1, 10), "45")
    client.force_login(alice.user)
    body = client.get(reverse("dashboard")).content.decode()
    assert "CPR/AED expired on 01/31/2026" in body and "Renew now" not in body


@time_machine.travel(date(2029, 2, 1), tick=False)
def test_grace_shows_late_fee(client, alice, alice_cpt):
    client.force_login(alice.user)
    body = client.get(reverse("dashboard")).content.decode()
    assert "Grace period" in body and "$45.00 + $25.00 late fee" in body
    assert "the cycle ended 32 days ago" in body


@time_machine.travel(date(2026, 6, 1), tick=False)
def test_renewal_group_of_acsm_certifications(client, alice, alice_cpt, programs, sam):
    do_create_certification(alice, programs[("ACSM", "CET")], date(2025, 5, 1), actor=sam)
    client.force_login(alice.user)
    body = client.get(reverse("dashboard")).content.decode()
    assert "Renewing together" in body
    assert "ACSM CPT, ACSM CET end on 12/31/2028 and renew together: 45 CECs" in body
    assert "fee $50.00" in body


@time_machine.travel(date(2026, 6, 1), tick=False)
def test_bob_sees_only_his_dashboard(client, alice, alice_cpt, bob):
    credit(alice, date(2026, 1, 10), "5")
    client.force_login(bob.user)
    body = client.get(reverse("dashboard")).content.decode()
    assert "ACSM" not in body.split("<main")[1] and "Add a certification" in body


@pytest.mark.parametrize("n", [3, 30])
@time_machine.travel(date(2026, 6, 1), tick=False)
def test_query_count_is_flat(client, alice, alice_cpt, programs, sam, n,
                             django_assert_num_queries):
    do_create_certification(alice, programs[("ACE", "PT")], date(2025, 3, 15), actor=sam)
    for i in range(n):
        credit(alice, date(2026, 1, 1 + i % 28), "1", title=f"Course {i}")
    client.force_login(alice.user)
    client.get(reverse("dashboard"))
    # what the page shows below its heading from the cache (issue 16): session, user,
    # professional, the menu's consoles
    with django_assert_num_queries(4):
        response = client.get(reverse("dashboard"))
    assert response.content.decode().count('class="card status-card-') == 2


@time_machine.travel(date(2026, 8, 1), tick=False)
def test_ace_certifications_are_not_shown_as_renewing_together(client, alice, programs, sam):
    from recert.core.evaluation import standing_of

    do_create_certification(alice, programs[("ACE", "PT")], date(2025, 6, 10), actor=sam)
    do_create_certification(alice, programs[("ACE", "GFI")], date(2025, 6, 20), actor=sam)
    # The engine groups them (same cycle end), but ACE bills each one separately.
    groups = standing_of(alice, date(2026, 8, 1)).evaluation.renewals
    assert any(len(g.certifications) == 2 for g in groups)
    client.force_login(alice.user)
    body = client.get(reverse("dashboard")).content.decode()
    assert "Renewing together" not in body and "renew together" not in body
