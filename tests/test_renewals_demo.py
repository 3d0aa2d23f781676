"""The renewal demo helper runs on top of the core demo, twice without change."""

from __future__ import annotations

from datetime import date

import pytest

from recert.core.demo import load_demo
from recert.renewals.demo import load_demo_renewals
from recert.renewals.models import Invoice, Renewal

pytestmark = pytest.mark.django_db


def test_demo_renewals_load_twice(settings):
    today = date(2026, 11, 23)
    load_demo(today)
    first = load_demo_renewals(today)
    assert len(first) == 1  # Riley Ready can renew today
    load_demo_renewals(today)
    assert Renewal.objects.count() == len(first) == Invoice.objects.count()
