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


class _Body:
    def __init__(self, multi):
        self.multi = multi

    def param(self, name, on):
        from recert.rules.parameters import MultiRenewal, build

        assert name == "multi_renewal"
        return build(MultiRenewal, {"rules": [], **self.multi})


def test_the_shipped_policies_renew_acsm_together_and_ace_apart():
    from recert.renewals.quotes import renews_together
    from recert.rules import load_policies

    bodies = load_policies().bodies
    assert renews_together(bodies["ACSM"], date(2026, 1, 1)) is True  # ACSM-MULTI-FEE
    assert renews_together(bodies["ACE"], date(2026, 1, 1)) is False  # ACE-MULTI-1


@pytest.mark.parametrize(("multi", "together"), [
    ({"fee": "highest_plus_additional", "additional_fee": "5.00"}, True),
    ({"fee": "sum"}, False),
])
def test_which_bodies_renew_together_is_read_from_the_policy(multi, together):
    from recert.renewals.quotes import renews_together

    assert renews_together(_Body(multi), date(2026, 1, 1)) is together
