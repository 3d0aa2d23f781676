"""The engine counts an audit's replacement credits toward the audited cycle although they
were earned after it (ACSM-AUDIT-1); any other credit earned then (after the grace period,
ACSM-GRACE-2) stays outside."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from recert.rules import evaluate, load_policies
from recert.rules.model import ACCEPTED, OUTSIDE_CYCLE, CertificationIn, CreditIn


def _credit(pk: str, day: date) -> CreditIn:
    return CreditIn(pk, day, "course", Decimal("15"), "cec", "ACSM", title=f"Course {pk}")


def test_replacement_credits_count_toward_the_audited_cycle_only():
    cert = CertificationIn("1", "ACSM", "CPT", date(2022, 3, 15), date(2022, 3, 15),
                           date(2025, 12, 31), replacement_credits=("3",))
    credits = [_credit("1", date(2024, 1, 10)), _credit("2", date(2026, 7, 10)),
               _credit("3", date(2026, 7, 11))]
    result = evaluate(load_policies(), [cert], credits, date(2026, 8, 1)).certifications[0]
    assert result.credit("3").outcome == ACCEPTED
    assert "ACSM-AUDIT-1" in result.credit("3").rules
    assert result.credit("2").outcome == OUTSIDE_CYCLE
    assert result.earned == Decimal("30")
    # Not earned yet on the evaluation date: nothing to count, replacement or not.
    early = evaluate(load_policies(), [cert], credits, date(2026, 7, 10)).certifications[0]
    assert early.credit("3").outcome == OUTSIDE_CYCLE
