"""The renewal demo helper runs on top of the core demo, twice without change."""

from __future__ import annotations

from datetime import date

import pytest

from recert.demo.people import load_demo
from recert.demo.renewals import load_demo_renewals
from recert.renewals.models import Invoice, Renewal

pytestmark = pytest.mark.django_db


def test_demo_renewals_load_twice(settings):
    today = date(2026, 11, 23)
    load_demo(today)
    first = load_demo_renewals(today)
    assert len(first) == 1  # Riley Ready can renew today
    load_demo_renewals(today)
    assert Renewal.objects.count() == len(first) == Invoice.objects.count()


def test_the_shipped_policies_renew_acsm_together_and_ace_apart():
    """The engine's renewal groups say whether a body bills them together."""
    from recert.rules import CertificationIn, evaluate, load_policies

    certs = [CertificationIn(f"{body}{program}", body, program, date(2024, 1, 15),
                             date(2024, 1, 15), date(2026, 12, 31))
             for body, program in (("ACSM", "CPT"), ("ACSM", "EP"), ("ACE", "PT"),
                                   ("ACE", "GFI"))]
    groups = {g.body: g for g in evaluate(load_policies(), certs, [], date(2026, 6, 1)).renewals}
    assert groups["ACSM"].bills_together is True  # ACSM-MULTI-FEE
    assert [ln.kind for ln in groups["ACSM"].fee_lines] == ["fee", "additional"]
    assert groups["ACE"].bills_together is False  # ACE-MULTI-1
    assert [ln.kind for ln in groups["ACE"].fee_lines] == ["fee", "fee"]


@pytest.mark.parametrize(("multi", "together"), [
    ({"fee": "highest_plus_additional", "additional_fee": "5.00"}, True),
    ({"fee": "sum"}, False),
])
def test_which_bodies_renew_together_is_read_from_the_policy(multi, together):
    from recert.rules.parameters import MultiRenewal, build

    assert build(MultiRenewal, {"rules": [], **multi}).bills_together is together
