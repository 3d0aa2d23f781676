"""Invariants of the engine, over generated professionals (hypothesis)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from recert.rules import CertificationIn, CreditIn, cycles, evaluate, load_policies
from recert.rules.model import FORMATS, OUTCOMES, PETITION_STATES, UNITS, Decision
from recert.rules.policy import GRADES

POLICIES = load_policies()
AS_OF = date(2026, 6, 1)
ZERO = Decimal(0)

days = st.dates(min_value=date(2021, 1, 1), max_value=date(2027, 12, 31))
amounts = st.decimals(min_value=0, max_value=60, places=1, allow_nan=False, allow_infinity=False)


decision = st.builds(
    Decision,
    outcome=st.sampled_from(["accepted", "rejected"]),
    counted_as=st.one_of(st.none(), amounts),
    reason=st.sampled_from(["", "content_out_of_scope"]),
)
decisions = st.dictionaries(st.sampled_from(sorted(POLICIES.bodies)), decision, max_size=2)


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
        decisions=draw(decisions),
    )


@st.composite
def professional(draw):
    credits = [draw(credit(i)) for i in range(draw(st.integers(0, 25)))]
    ids = [c.id for c in credits]
    certs = []
    for i in range(draw(st.integers(1, 3))):
        body = draw(st.sampled_from(sorted(POLICIES.bodies)))
        program = draw(st.sampled_from(POLICIES.bodies[body].program_codes))
        certified_on = draw(st.dates(date(2020, 1, 1), date(2026, 5, 1)))
        cycle = {}
        if draw(st.booleans()):
            # A given cycle that may have ended before AS_OF: grace and invalid are reached.
            start = draw(st.dates(certified_on, date(2026, 5, 1)))
            end = draw(st.dates(start, date(2028, 12, 31)))
            cycle = {"cycle_start": start, "cycle_end": end}
        certs.append(
            CertificationIn(
                f"k{i}",
                body,
                program,
                certified_on,
                cpr_aed_valid_until=draw(st.one_of(st.none(), days)),
                claimed_credits=tuple(draw(st.lists(st.sampled_from(ids), unique=True)))
                if ids
                else (),
                **cycle,
            )
        )
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
            cap.rule + str(cap.formats): cap
            for day in (date(2021, 1, 1), date(2025, 2, 1))
            for cap in _caps_in_force(body, day)
        }.values():
            groups: dict = {}
            for c in result.credits:
                src = by_id[c.id]
                if src.format in cap.formats and any(
                    k is cap or k == cap for k in _caps_in_force(body, src.earned_on)
                ):
                    key = src.earned_on.year if cap.per == "calendar_year" else "cycle"
                    groups[key] = groups.get(key, ZERO) + c.counted
            limit = cap.limit(result.required)
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


@settings(max_examples=60, deadline=None)
@given(professional(), st.data())
def test_a_decision_for_one_body_never_changes_another_bodys_result(data, draws) -> None:
    """REVIEW-1: a decision recorded for one body is that body's alone."""
    certs, credits = data
    body = draws.draw(st.sampled_from(sorted(POLICIES.bodies)))
    changed = [
        replace(c, decisions={**c.decisions, body: draws.draw(decision)})
        if draws.draw(st.booleans())
        else replace(c, decisions={k: v for k, v in c.decisions.items() if k != body})
        for c in credits
    ]
    before = evaluate(POLICIES, certs, credits, AS_OF)
    after = evaluate(POLICIES, certs, changed, AS_OF)
    for cert, old, new in zip(certs, before.certifications, after.certifications, strict=True):
        if cert.body != body:
            assert old == new


@settings(max_examples=50, deadline=None)
@given(professional())
def test_a_rejecting_decision_never_counts(data) -> None:
    certs, credits = data
    evaluation = evaluate(POLICIES, certs, credits, AS_OF)
    by_id = {c.id: c for c in credits}
    for cert, result in zip(certs, evaluation.certifications, strict=True):
        for c in result.credits:
            review = by_id[c.id].decisions.get(cert.body)
            if review is not None and review.outcome == "rejected":
                assert (c.outcome, c.counted) == ("rejected", ZERO) or c.outcome == "outside_cycle"


@settings(max_examples=50, deadline=None)
@given(professional())
def test_claimed_credits_never_count_twice(data) -> None:
    """ACSM-GRACE-2: a credit a late renewal claimed counts for nothing in the next cycle,
    and claiming never raises what counts."""
    certs, credits = data
    unclaimed = [replace(c, claimed_credits=()) for c in certs]
    claimed = evaluate(POLICIES, certs, credits, AS_OF)
    free = evaluate(POLICIES, unclaimed, credits, AS_OF)
    for cert, with_claims, without in zip(
        certs, claimed.certifications, free.certifications, strict=True
    ):
        for c in with_claims.credits:
            if c.id in cert.claimed_credits:
                assert c.counted == 0
        assert with_claims.earned <= without.earned


@settings(max_examples=50, deadline=None)
@given(professional())
def test_nothing_dated_after_as_of_counts(data) -> None:
    certs, credits = data
    evaluation = evaluate(POLICIES, certs, credits, AS_OF)
    later = {c.id for c in credits if c.earned_on > AS_OF}
    for result in evaluation.certifications:
        for c in result.credits:
            if c.id in later:
                assert (c.outcome, c.counted) == ("outside_cycle", ZERO)


@settings(max_examples=60, deadline=None)
@given(professional(), st.data())
def test_a_late_renewal_and_the_next_cycle_count_a_grace_credit_once(data, draws) -> None:
    """What counts in grace toward the ended cycle, once claimed, does not count again."""
    certs, credits = data
    cert = certs[0]
    body = POLICIES.bodies[cert.body]
    ended = cycles.cycle_containing(body, cert.certified_on, date(2025, 6, 1))
    grace_end = cycles.grace_ends(body, ended)
    late = replace(cert, cycle_start=ended.start, cycle_end=ended.end, claimed_credits=())
    in_grace = draws.draw(st.dates(ended.end, max(ended.end, grace_end)))
    first = evaluate(POLICIES, [late], credits, in_grace).certifications[0]
    counted_late = {c.id for c in first.credits if c.counted > 0}
    following = cycles.next_cycle(body, cert.certified_on, ended)
    renewed = replace(
        late,
        cycle_start=following.start,
        cycle_end=following.end,
        claimed_credits=tuple(sorted(counted_late)),
    )
    second = evaluate(POLICIES, [renewed], credits, following.end).certifications[0]
    counted_next = {c.id for c in second.credits if c.counted > 0}
    assert not counted_late & counted_next
