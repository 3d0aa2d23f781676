"""Invariants of the engine, over generated professionals (hypothesis)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from recert.rules import CertificationIn, CreditIn, evaluate, load_policies
from recert.rules.model import FORMATS, OUTCOMES, PETITION_STATES, UNITS
from recert.rules.policy import GRADES

POLICIES = load_policies()
AS_OF = date(2026, 6, 1)
ZERO = Decimal(0)

days = st.dates(min_value=date(2021, 1, 1), max_value=date(2027, 12, 31))
amounts = st.decimals(min_value=0, max_value=60, places=1, allow_nan=False, allow_infinity=False)


@st.composite
def credit(draw, index: int) -> CreditIn:
    fmt = draw(st.sampled_from(FORMATS))
    return CreditIn(
        id=f"c{index}",
        earned_on=draw(days),
        format=fmt,
        amount=draw(amounts),
        unit=draw(st.sampled_from(UNITS)),
        awarded_by=draw(st.sampled_from(POLICIES.awarding_organizations)),
        title=draw(st.sampled_from(["Strength", "Mobility", "Nutrition", "Teaching 101"])),
        provider=draw(st.sampled_from([None, "NASM", "State University"])),
        course_number=draw(st.sampled_from([None, "CA23456", "CEP123456", "EP", "CPT", "X1"])),
        grade=draw(st.sampled_from([None, *GRADES])),
        published_on=draw(st.one_of(st.none(), days)),
        petition=draw(st.sampled_from([None, *PETITION_STATES])),
    )


@st.composite
def professional(draw):
    certs = []
    for i in range(draw(st.integers(1, 3))):
        body = draw(st.sampled_from(sorted(POLICIES.bodies)))
        program = draw(st.sampled_from(POLICIES.bodies[body].program_codes))
        certs.append(
            CertificationIn(
                f"k{i}",
                body,
                program,
                draw(st.dates(date(2020, 1, 1), date(2026, 5, 1))),
                cpr_aed_valid_until=draw(st.one_of(st.none(), days)),
            )
        )
    credits = [draw(credit(i)) for i in range(draw(st.integers(0, 25)))]
    return certs, credits


def _caps_in_force(body, day):
    return body.param("caps", day, default=())


@settings(max_examples=150, deadline=None)
@given(professional())
def test_invariants(data) -> None:
    certs, credits = data
    evaluation = evaluate(POLICIES, certs, credits, AS_OF)
    for cert, result in zip(certs, evaluation.certifications, strict=True):
        body = POLICIES.bodies[cert.body]
        # every credit gets exactly one outcome per certification
        assert sorted(c.id for c in result.credits) == sorted(c.id for c in credits)
        assert all(c.outcome in OUTCOMES for c in result.credits)
        # counted never exceeds converted, never negative; only accepted/capped count
        for c in result.credits:
            assert ZERO <= c.counted <= c.converted
            if c.outcome not in ("accepted", "capped"):
                assert c.counted == 0
            if c.outcome == "capped":
                assert c.counted < c.converted
        # earned is the sum of counted, never more than the sum converted
        assert result.earned == sum((c.counted for c in result.credits), ZERO)
        assert result.earned <= sum((c.converted for c in result.credits), ZERO)
        assert result.remaining == max(ZERO, result.required - result.earned)
        # no cap is ever exceeded
        by_id = {c.id: c for c in credits}
        for cap in {
            cap["rule"] + str(cap["formats"]): cap
            for day in (date(2021, 1, 1), date(2025, 2, 1))
            for cap in _caps_in_force(body, day)
        }.values():
            groups: dict = {}
            for c in result.credits:
                src = by_id[c.id]
                if src.format in cap["formats"] and any(
                    k is cap or k == cap for k in _caps_in_force(body, src.earned_on)
                ):
                    key = src.earned_on.year if cap["per"] == "calendar_year" else "cycle"
                    groups[key] = groups.get(key, ZERO) + c.counted
            limit = (
                cap["credits"]
                if cap["credits"] is not None
                else cap["share_of_required"] * result.required
            )
            assert all(total <= limit for total in groups.values()), (cap, groups)
        # renewal possible exactly when nothing blocks it
        assert result.renewal.can_renew == (not result.renewal.blockers)


@settings(max_examples=100, deadline=None)
@given(professional(), st.randoms(use_true_random=False))
def test_input_order_changes_nothing(data, rnd: random.Random) -> None:
    certs, credits = data
    before = evaluate(POLICIES, certs, credits, AS_OF)
    shuffled = list(credits)
    rnd.shuffle(shuffled)
    after = evaluate(POLICIES, certs, shuffled, AS_OF)
    assert before == after


@settings(max_examples=100, deadline=None)
@given(professional(), st.integers(0, 1000), amounts)
def test_adding_an_accepted_credit_never_lowers_earned(data, offset, amount) -> None:
    certs, credits = data
    before = evaluate(POLICIES, certs, credits, AS_OF)
    extra = CreditIn(
        "zz-new",
        date(2021, 1, 1) + timedelta(days=offset),
        "course",
        amount,
        "hour",
        awarded_by="OTHER",
        title=f"Brand new course {offset}",
        petition="approved",
    )
    after = evaluate(POLICIES, certs, [*credits, extra], AS_OF)
    for old, new in zip(before.certifications, after.certifications, strict=True):
        assert new.earned >= old.earned


@settings(max_examples=60, deadline=None)
@given(professional())
def test_the_same_input_gives_the_same_output(data) -> None:
    certs, credits = data
    assert evaluate(POLICIES, certs, credits, AS_OF) == evaluate(POLICIES, certs, credits, AS_OF)
