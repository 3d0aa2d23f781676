"""The audit demo: Audra's renewal of last year is in this year's ACSM audit, her proof due
in 20 days (issue 13); loading twice changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from recert.audits.models import Audit, AuditCase
from recert.demo.audits import load_demo_audit
from recert.demo.people import load_demo

pytestmark = pytest.mark.django_db


def test_demo_audit_loads_twice(django_capture_on_commit_callbacks):
    today = date(2026, 11, 23)
    load_demo(today)
    with django_capture_on_commit_callbacks(execute=True):
        accounts = load_demo_audit(today)
    load_demo_audit(today)
    assert [a.username for a in accounts] == ["audra"]
    audit = Audit.objects.get()
    assert (audit.body.code, audit.year, audit.population_year) == ("ACSM", 2026, 2025)
    case = AuditCase.objects.get()
    assert case.professional.user.username == "audra"
    assert case.status == AuditCase.AWAITING
    assert case.due_on == today + timedelta(days=20)
    assert case.items.count() == 3
