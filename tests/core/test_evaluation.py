"""The bridge from rows to the engine: the right inputs, in a fixed number of queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from recert.core.actions.certifications import do_create_certification
from recert.core.actions.credits import do_create_credit_entry
from recert.core.actions.history import do_soft_delete
from recert.core.evaluation import evaluate_professional
from recert.core.models import Cycle


def test_uses_open_cycle_and_live_credits(alice, alice_cpt, programs, sam):
    kept = do_create_credit_entry(alice, actor=alice.user, earned_on=date(2026, 1, 5),
                                  title="Kept", format="workshop", amount=Decimal("10"),
                                  unit="hour", provider="X")
    gone = do_create_credit_entry(alice, actor=alice.user, earned_on=date(2026, 1, 6),
                                  title="Gone", format="workshop", amount=Decimal("10"),
                                  unit="hour")
    do_soft_delete(gone, actor=alice.user)
    result = evaluate_professional(alice, date(2026, 6, 1)).certification(str(alice_cpt.pk))
    assert (result.cycle.start, result.cycle.end) == (date(2025, 3, 15), date(2028, 12, 31))
    assert result.earned == Decimal("10")
    assert [c.id for c in result.credits] == [str(kept.pk)]


def test_stored_cycle_wins(alice, programs, sam):
    cert = do_create_certification(alice, programs[("ACE", "PT")], date(2024, 5, 10), actor=sam,
                                   cycle=(date(2026, 6, 1), date(2028, 6, 30)), cycle_number=2)
    assert Cycle.objects.get(certification=cert).number == 2
    result = evaluate_professional(alice, date(2026, 7, 1)).certifications[0]
    assert (result.cycle.start, result.cycle.end) == (date(2026, 6, 1), date(2028, 6, 30))


def test_constant_queries(alice, alice_cpt, programs, sam, django_assert_num_queries):
    for code in ("GEI", "EP"):
        do_create_certification(alice, programs[("ACSM", code)], date(2024, 1, 1), actor=sam)
    for i in range(5):
        do_create_credit_entry(alice, actor=alice.user, earned_on=date(2026, 1, 1 + i),
                               title=f"T{i}", format="course", amount=Decimal("1"), unit="hour")
    # certifications, open cycles, credits, their decisions, late-renewal claims
    with django_assert_num_queries(5):
        evaluation = evaluate_professional(alice, date(2026, 6, 1))
    assert len(evaluation.certifications) == 3
