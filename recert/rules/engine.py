"""evaluate(): where each certification stands on a date, and why each credit counts.

Pure: policies, certifications, credits and the date go in, an Evaluation comes out.
Every number comes from the policy in force on the relevant date:
- a credit's conversion, eligibility and caps: the day it was earned;
- a cycle's requirement: the day the cycle started;
- the grace period (and whether credits earned in it count): the day the cycle ended;
- fees and the CPR/AED requirement: the evaluation date.

A credit is decided in this order: what the body's conversion makes of it (or what a
person decided for that body, REVIEW-1), then the dates (not earned yet by `as_of`, before
certification, outside the cycle or its counting grace), a claim by an earlier late
renewal (ACSM-GRACE-2), repeats of the same course, and last the caps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from . import cycles
from .model import (
    ACCEPTED,
    ACTIVE,
    CAPPED,
    CPR_AED_NOT_CURRENT,
    FEE,
    GRACE,
    GRADES,
    INVALID,
    LATE_FEE,
    NEEDS_REVIEW,
    NOT_FINAL_YEAR,
    OUTSIDE_CYCLE,
    REJECTED,
    RENEWAL_OPEN,
    REVIEW_RULE,
    SHORT_OF_REQUIRED,
    CertificationIn,
    CertificationResult,
    CreditIn,
    CreditResult,
    Cycle,
    Evaluation,
    FeeLine,
    Pricing,
    Renewal,
    RenewalGroup,
)
from .parameters import FormatRule
from .policy import BodyPolicy, Policies

ZERO = Decimal(0)


@dataclass
class _Decision:
    """A credit's fate for one certification, built up step by step."""

    outcome: str
    converted: Decimal = ZERO
    counted: Decimal = ZERO
    rules: list[str] = field(default_factory=list)
    # The conversion had no rate for this credit: only a person can say what it is worth.
    unpriced: bool = False
    reason: str = ""

    def add(self, *rules: str) -> None:
        for rule in rules:
            if rule and rule not in self.rules:
                self.rules.append(rule)


def evaluate(
    policies: Policies,
    certifications: Sequence[CertificationIn],
    credits: Iterable[CreditIn],
    as_of: date,
) -> Evaluation:
    ordered = sorted(credits, key=lambda c: (c.earned_on, c.id))
    results = tuple(
        _evaluate_certification(policies.bodies[cert.body], cert, ordered, as_of)
        for cert in certifications
    )
    return Evaluation(as_of, results, _renewal_groups(policies, certifications, results, as_of))


def current_cycle(body: BodyPolicy, cert: CertificationIn, as_of: date) -> Cycle:
    if cert.cycle_start and cert.cycle_end:
        return Cycle(cert.cycle_start, cert.cycle_end)
    return cycles.cycle_containing(body, cert.certified_on, as_of)


def _evaluate_certification(
    body: BodyPolicy, cert: CertificationIn, credits: list[CreditIn], as_of: date
) -> CertificationResult:
    cycle = current_cycle(body, cert, as_of)
    program = body.program(cert.program, cycle.start)
    required: Decimal = program.required
    opens = cycles.window_opens(body, cycle)
    grace_end = cycles.grace_ends(body, cycle)
    grace = body.param("grace", cycle.end)
    # In grace, credits earned since the cycle end count toward it when the policy says so
    # (ACSM-GRACE-2): a professional short of credits earns them and renews late.
    counts_until = (
        as_of if cycle.end < as_of <= grace_end and grace.counts_credits else cycle.end
    )
    decisions = _decide_credits(body, cert, cycle, counts_until, required, credits, as_of)
    earned = sum((d.counted for d in decisions), ZERO)
    remaining = max(ZERO, required - earned)

    if as_of > grace_end:
        status = INVALID
    elif as_of > cycle.end:
        status = GRACE
    elif as_of >= opens and remaining == 0:
        status = RENEWAL_OPEN
    else:
        status = ACTIVE

    blockers = []
    if remaining > 0:
        blockers.append(SHORT_OF_REQUIRED)
    if as_of < opens:
        blockers.append(NOT_FINAL_YEAR)
    cpr_aed_required = body.param("cpr_aed_required", as_of).required
    if cpr_aed_required and (
        cert.cpr_aed_valid_until is None or cert.cpr_aed_valid_until < as_of
    ):
        blockers.append(CPR_AED_NOT_CURRENT)
    if status == INVALID:
        blockers.append(INVALID)

    fee = body.program(cert.program, as_of).fee
    late_fee = grace.late_fee if status == GRACE else ZERO
    fee_lines = [FeeLine(FEE, fee, cert.id, cert.program,
                         source=body.source(f"programs.{cert.program}", as_of) or "")]
    if late_fee:
        fee_lines.append(FeeLine(LATE_FEE, late_fee, rule=grace.rule,
                                 source=body.source("grace", cycle.end) or ""))
    renewal = Renewal(
        not blockers,
        tuple(blockers),
        fee,
        late_fee,
        opens,
        grace_end,
        cpr_aed_required=cpr_aed_required,
        fee_lines=tuple(fee_lines),
    )
    credit_results = tuple(
        CreditResult(
            c.id,
            d.outcome,
            d.converted,
            d.counted,
            tuple(d.rules),
            d.reason,
            expires_on=_expires_on(body, c),
        )
        for c, d in zip(credits, decisions, strict=True)
    )
    return CertificationResult(
        cert.id,
        cert.body,
        cert.program,
        cycle,
        status,
        required,
        earned,
        remaining,
        renewal,
        credit_results,
    )


def _decide_credits(
    body: BodyPolicy,
    cert: CertificationIn,
    cycle: Cycle,
    counts_until: date,
    required: Decimal,
    credits: list[CreditIn],
    as_of: date,
) -> list[_Decision]:
    """Decide every credit in date order; caps and repeats fill first come, first served.

    `counts_until` is the last day a credit may be earned to count toward `cycle`: its end,
    or `as_of` while in a grace period whose credits count (ACSM-GRACE-2).
    """
    used: dict[tuple, Decimal] = {}
    seen_courses: list[_Course] = []
    claimed = set(cert.claimed_credits)
    replacements = set(cert.replacement_credits)
    decisions = []
    for credit in credits:
        decision = _reviewed(body, credit, _eligibility(body, cert, credit))
        before = credit.earned_on < cert.certified_on
        # An audit's replacement credit counts toward the audited cycle although earned
        # after it (ACSM-AUDIT-1).
        replacement = credit.id in replacements and credit.earned_on > cycle.end
        inside = (cycle.start <= credit.earned_on <= counts_until or replacement) \
            and not before

        if credit.earned_on > as_of:
            # Not earned yet on the evaluation date (EVALUATE.md): nothing to count.
            decision = _Decision(OUTSIDE_CYCLE, decision.converted)
        elif before:
            rule = body.param("before_certification", credit.earned_on)
            decision = _Decision(rule.outcome, decision.converted, rules=list(rule.rules))
        elif not inside:
            rule = body.param("outside_cycle", credit.earned_on)
            outside = _Decision(rule.outcome, decision.converted, rules=list(rule.rules))
            _remember_if_used_up_forever(body, credit, decision, seen_courses)
            decision = outside
        elif credit.id in claimed:
            # An earlier late renewal counted it toward the ended cycle (ACSM-GRACE-2).
            _remember_if_used_up_forever(body, credit, decision, seen_courses)
            grace = body.param("grace", credit.earned_on)
            decision = _Decision(REJECTED, decision.converted)
            decision.add(grace.credits_rule or grace.rule)
        elif decision.outcome == ACCEPTED:
            repeat_rule = _repeat_rule(body, credit)
            course = _course(credit, repeat_rule)
            if repeat_rule is not None and any(_same_course(course, s) for s in seen_courses):
                decision = _Decision(REJECTED, decision.converted)
                decision.add(repeat_rule)
            else:
                _apply_caps(body, cycle, required, credit, decision, used)
                # Only a course that was granted credit makes a later one a repeat.
                if repeat_rule is not None and decision.counted > 0:
                    seen_courses.append(course)
        if replacement and decision.outcome in (ACCEPTED, CAPPED):
            audit = body.param("audit", cycle.end, default=None)
            decision.add(audit.rule if audit else "")
        elif inside and credit.earned_on > cycle.end and decision.outcome in (ACCEPTED,
                                                                             CAPPED):
            decision.add(body.param("grace", cycle.end).credits_rule)
        decisions.append(decision)
    return decisions


def _remember_if_used_up_forever(
    body: BodyPolicy, credit: CreditIn, decision: _Decision, seen: list[_Course]
) -> None:
    """Under scope "ever", a course that counted in another period is used up (ACE-SAME-1)."""
    repeat_rule = _repeat_rule(body, credit)
    if decision.outcome == ACCEPTED and repeat_rule is not None:
        if body.param("same_course", credit.earned_on).scope == "ever":
            seen.append(_course(credit, repeat_rule))


def _reviewed(body: BodyPolicy, credit: CreditIn, decision: _Decision) -> _Decision:
    """A person's decision for this body replaces its conversion (REVIEW-1); other bodies'
    decisions are not this body's business."""
    review = credit.decisions.get(body.code)
    if review is None:
        return decision
    if review.outcome == REJECTED:
        rejected = _Decision(REJECTED, decision.converted, reason=review.reason)
        rejected.add(REVIEW_RULE, *decision.rules)
        return rejected
    if review.counted_as is not None:
        accepted = _Decision(ACCEPTED, review.counted_as, reason=review.reason)
    elif decision.unpriced:
        # Accepted, but the body has no rate for it and the decision gave no amount: a
        # person still has to say what it is worth.
        accepted = _Decision(NEEDS_REVIEW, ZERO, unpriced=True, reason=review.reason)
    else:
        accepted = _Decision(ACCEPTED, decision.converted, reason=review.reason)
    accepted.add(REVIEW_RULE, *decision.rules)
    return accepted


def _apply_caps(
    body: BodyPolicy,
    cycle: Cycle,
    required: Decimal,
    credit: CreditIn,
    decision: _Decision,
    used: dict[tuple, Decimal],
) -> None:
    applicable = []
    for cap in body.param("caps", credit.earned_on, default=()):
        if credit.format not in cap.formats:
            continue
        period = cycle.start if cap.per == "cycle" else credit.earned_on.year
        key = (cap.rule, cap.formats, cap.per, period)
        applicable.append((cap, key, max(ZERO, cap.limit(required) - used.get(key, ZERO))))
        if cap.rule not in decision.rules and cap.per == "cycle":
            decision.add(cap.rule)  # the cycle share is part of how these formats count
    take = decision.converted
    for cap, _key, available in applicable:
        if available < decision.converted:
            decision.add(cap.rule)
        take = min(take, available)
    for _, key, _ in applicable:
        used[key] = used.get(key, ZERO) + take
    decision.counted = take
    if take < decision.converted:
        decision.outcome = CAPPED


def _eligibility(body: BodyPolicy, cert: CertificationIn, credit: CreditIn) -> _Decision:
    """What the credit is worth for this body, ignoring dates, repeats and caps."""
    on = credit.earned_on
    fmt = body.format_rule(credit.format, on)
    treatment = fmt.treatment
    rules = fmt.rules

    if treatment == "reject":
        converted, *_ = _convert(body, credit)
        decision = _Decision(REJECTED, converted or ZERO)
        decision.add(*rules)
        return decision

    if treatment == "fixed":
        count = credit.amount if credit.unit == "item" else Decimal(1)
        decision = _Decision(ACCEPTED, fmt.credits * count)
        decision.add(*rules)
        return decision

    if treatment == "per_item" and credit.unit == "item":
        decision = _Decision(ACCEPTED, fmt.credits * credit.amount)
        decision.add(*rules)
        months = fmt.expires_after_months
        if months is not None:
            if credit.published_on is None or credit.earned_on < credit.published_on:
                # No publication date, or completed before it appeared: a person must look.
                decision.outcome = NEEDS_REVIEW
            elif credit.earned_on > cycles.add_months(credit.published_on, months):
                decision.outcome = REJECTED
        return decision

    if treatment == "new_certification":
        return _new_certification(body, cert, credit, rules)

    approved_number = treatment == "petition" and _approved_course_number(body, fmt, credit)
    # An approved course number means the body itself awarded the credits on it,
    # whoever ran the course (ACE-COURSE-1).
    converted, conversion_rule, review, min_grade = _convert(
        body, replace(credit, awarded_by=body.code) if approved_number else credit
    )
    if treatment == "college":
        min_grade = fmt.min_grade
    decision = _Decision(ACCEPTED, converted or ZERO)
    decision.add(*rules)
    if treatment == "petition":
        if approved_number:
            decision.rules = [body.param("course_numbers", on).rule]
        elif credit.petition != "approved":
            decision.outcome = REJECTED if credit.petition == "denied" else NEEDS_REVIEW
    decision.add(conversion_rule)
    if review:
        decision.outcome = NEEDS_REVIEW
        decision.converted = ZERO
        decision.unpriced = True
    if min_grade is not None and decision.outcome == ACCEPTED:
        if credit.grade is None:
            decision.outcome = NEEDS_REVIEW  # the grade decides; a person must see it
        elif GRADES.index(credit.grade) > GRADES.index(min_grade):
            decision.outcome = REJECTED
    return decision


def _expires_on(body: BodyPolicy, credit: CreditIn) -> date | None:
    """The last day an issue may earn credit, when the format expires after publication
    (ACSM-SELFTEST-1: 1 year); None without a publication date or such a rule."""
    if credit.published_on is None:
        return None
    fmt = body.format_rule(credit.format, credit.earned_on)
    if fmt.expires_after_months is None:
        return None
    return cycles.add_months(credit.published_on, fmt.expires_after_months)


def _approved_course_number(body: BodyPolicy, fmt: FormatRule, credit: CreditIn) -> bool:
    numbers = body.param("course_numbers", credit.earned_on, default=None)
    return bool(fmt.approved_by_course_number and numbers and numbers.matches(credit.course_number))


def _convert(body: BodyPolicy, credit: CreditIn) -> tuple[Decimal | None, str, bool, str | None]:
    """(amount in the body's credits, rule id, needs review, minimum grade) from the
    conversion table; college units carry the grade their rule asks for."""
    for row in body.param("conversions", credit.earned_on):
        if not row.matches(credit.unit, credit.awarded_by, credit.format):
            continue
        if row.review:
            return None, row.rule, True, row.min_grade
        return credit.amount * row.rate, row.rule, False, row.min_grade
    return None, "", True, None


def _new_certification(
    body: BodyPolicy, cert: CertificationIn, credit: CreditIn, rules: Sequence[str]
) -> _Decision:
    """ACSM-NEWCERT-1: another certification of this body, higher than the one renewed or a
    specialty, earns the credits the policy lists for it."""
    decision = _Decision(REJECTED)
    decision.add(*rules)
    # Another body's certification never counts; an unnamed awarder with one of this
    # body's program codes is taken to be this body.
    if credit.awarded_by not in (body.code, "OTHER") or not credit.course_number:
        return decision
    code = body.resolve_program(credit.course_number.strip().upper())
    award = (
        body.param(f"new_certification.{code}", credit.earned_on, default=None) if code else None
    )
    if award is None or code == cert.program:
        return decision
    earned = body.program(code, credit.earned_on)
    held = body.program(cert.program, credit.earned_on)
    decision.converted = award.credits
    decision.add(award.rule)
    if (
        earned.specialty
        or (not held.specialty and earned.rank > held.rank)
        or (held.specialty and not earned.specialty)
    ):
        decision.outcome = ACCEPTED
    return decision


def _repeat_rule(body: BodyPolicy, credit: CreditIn) -> str | None:
    """The rule that makes a repeat of this course count once (RULES.md ACSM-SAME-1,
    ACE-SAME-1, ACSM-TEACH-REPEAT), or None for formats that may recur (volunteering)."""
    return body.param("same_course", credit.earned_on).repeat_rule(credit.format)


@dataclass(frozen=True)
class _Course:
    """What identifies a course for ACSM-SAME-1 / ACE-SAME-1 / ACSM-TEACH-REPEAT."""

    # The repeat rule of the format: attending a course and teaching it are different
    # activities because the policy gives them different repeat rules.
    activity: str
    number: str
    provider: str
    title: str


def _course(credit: CreditIn, repeat_rule: str | None) -> _Course:
    return _Course(
        activity=repeat_rule or "",
        number=(credit.course_number or "").strip().upper(),
        provider=_normalize(credit.provider or ""),
        title=_normalize(credit.title or ""),
    )


def _same_course(a: _Course, b: _Course) -> bool:
    """Same course whatever the delivery format (ACSM-SAME-1): the course numbers decide
    when both entries carry one; otherwise the same provider and normalized title. An entry
    with no title is never taken for another one."""
    if a.activity != b.activity:
        return False
    if a.number and b.number:
        return a.number == b.number
    return bool(a.title) and (a.provider, a.title) == (b.provider, b.title)


def _normalize(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def _renewal_groups(
    policies: Policies,
    certifications: Sequence[CertificationIn],
    results: Sequence[CertificationResult],
    as_of: date,
) -> tuple[RenewalGroup, ...]:
    """Per body, the certifications whose cycles end together, with the highest requirement
    (ACSM-MULTI-1) and the fee the body's policy sets for renewing them (ACSM-MULTI-FEE:
    highest + $5 each additional; ACE-MULTI-1: each its own fee, so the sum)."""
    groups: dict[tuple, list[CertificationResult]] = {}
    for result in results:
        groups.setdefault((result.body, result.cycle.end), []).append(result)

    out = []
    for (code, cycle_end), members in groups.items():
        body = policies.bodies[code]
        multi = body.param("multi_renewal", as_of)
        programs = [body.program(m.program, as_of) for m in members]
        pricing = Pricing(
            bills_together=multi.bills_together,
            additional_fee=multi.additional_fee,
            rule=multi.rules[-1] if multi.rules else "",
            members=tuple(
                (m.id, m.program, p.fee, p.rank) for m, p in zip(members, programs, strict=True)
            ),
            late_fees={m.id: m.renewal.late_fee for m in members},
            late_fee_rule=body.param("grace", cycle_end).rule,
            sources={
                **{m.id: body.source(f"programs.{m.program}", as_of) or "" for m in members},
                "additional": body.source("multi_renewal", as_of) or "",
                "late_fee": body.source("grace", cycle_end) or "",
            },
        )
        lines = pricing.lines()
        out.append(
            RenewalGroup(
                body=code,
                certifications=tuple(m.id for m in members),
                required=max(m.required for m in members),
                fee=sum((ln.amount for ln in lines if ln.kind != LATE_FEE), ZERO),
                late_fee=max(m.renewal.late_fee for m in members),
                cycle_end=cycle_end,
                bills_together=multi.bills_together,
                fee_lines=lines,
                pricing=pricing,
            )
        )
    body_order = {c.body: i for i, c in reversed(list(enumerate(certifications)))}
    out.sort(key=lambda g: (body_order[g.body], g.cycle_end))
    return tuple(out)
