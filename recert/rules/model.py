"""The engine's input and output: plain, immutable values mirroring EVALUATE.md.

Nothing here knows about Django, a database or the clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

FORMATS = (
    "course",
    "online_course",
    "conference",
    "workshop",
    "webinar",
    "college_course",
    "teaching",
    "lecturing",
    "volunteering",
    "publication",
    "self_test",
    "acls",
    "cpr",
    "aed",
    "first_aid",
    "bls",
    "new_certification",
    "exam",
    "membership",
    "committee",
    "workout",
    "other",
)
UNITS = ("hour", "cec", "ceu", "cme", "semester_hour", "quarter_hour", "item")
PETITION_STATES = ("pending", "approved", "denied")
# Letter grades of college courses, best first ("C or better": C- is below C).
GRADES = ("A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "D-", "F")
# The rule id of a person's decision on a credit for one body (RULES.md REVIEW-1).
REVIEW_RULE = "REVIEW-1"

# Outcomes of one credit entry for one certification.
ACCEPTED = "accepted"
CAPPED = "capped"
REJECTED = "rejected"
NEEDS_REVIEW = "needs_review"
OUTSIDE_CYCLE = "outside_cycle"
OUTCOMES = (ACCEPTED, CAPPED, REJECTED, NEEDS_REVIEW, OUTSIDE_CYCLE)
# What a person may decide about a credit for one body (REVIEW-1).
DECISION_OUTCOMES = (ACCEPTED, REJECTED)

# Statuses of a certification on a date.
ACTIVE = "active"
RENEWAL_OPEN = "renewal_open"
GRACE = "grace"
INVALID = "invalid"
STATUSES = (ACTIVE, RENEWAL_OPEN, GRACE, INVALID)

# What stops renewal, in the order EVALUATE.md lists them.
SHORT_OF_REQUIRED = "short_of_required"
NOT_FINAL_YEAR = "not_final_year"
CPR_AED_NOT_CURRENT = "cpr_aed_not_current"
BLOCKERS = (SHORT_OF_REQUIRED, NOT_FINAL_YEAR, CPR_AED_NOT_CURRENT, INVALID)

# Kinds of a renewal's fee lines: the program's renewal fee, the fee of an additional
# certification renewed with it (ACSM-MULTI-FEE), the late fee of a renewal in grace.
FEE = "fee"
ADDITIONAL = "additional"
LATE_FEE = "late_fee"
FEE_KINDS = (FEE, ADDITIONAL, LATE_FEE)


@dataclass(frozen=True)
class CertificationIn:
    id: str
    body: str
    program: str
    certified_on: date
    cycle_start: date | None = None
    cycle_end: date | None = None
    cpr_aed_valid_until: date | None = None
    # Ids of credits an earlier, late renewal of this certification already claimed
    # (ACSM-GRACE-2): they do not count again in this cycle.
    claimed_credits: tuple[str, ...] = ()
    # Ids of credits earned after the cycle that count toward it all the same: replacement
    # credits of the yearly audit of this cycle (the body's `audit` rule, ACSM-AUDIT-1).
    replacement_credits: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    """A person's decision on one credit for one body (REVIEW-1).

    `accepted` makes the credit count for that body, `counted_as` (in the body's credits)
    replacing the conversion when given; caps, dates and repeats still apply. `rejected`
    rejects it; `reason` says why (a code or words the pages show).
    """

    outcome: str
    counted_as: Decimal | None = None
    reason: str = ""


@dataclass(frozen=True)
class CreditIn:
    id: str
    earned_on: date
    format: str
    amount: Decimal
    unit: str
    awarded_by: str = "OTHER"
    title: str = ""
    provider: str | None = None
    course_number: str | None = None
    grade: str | None = None
    published_on: date | None = None
    petition: str | None = None
    # Per body code, a person's decision on this credit (REVIEW-1); other bodies ignore it.
    decisions: Mapping[str, Decision] = field(default_factory=dict)


@dataclass(frozen=True)
class Cycle:
    start: date
    end: date

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class CreditResult:
    id: str
    outcome: str
    converted: Decimal
    counted: Decimal
    rules: tuple[str, ...]
    # The reason of a person's rejection for this body (REVIEW-1), when there is one.
    reason: str = ""
    # The last day an issue may earn this body's credit (a self-test: ACSM-SELFTEST-1),
    # when the body's format rule says it expires; None otherwise.
    expires_on: date | None = None


@dataclass(frozen=True)
class FeeLine:
    """One line of what a renewal costs, in dollars; `kind` is one of FEE_KINDS."""

    kind: str
    amount: Decimal
    # The certification (id) the line charges for; None for the renewal as a whole.
    certification: str | None = None
    program: str = ""
    rule: str = ""
    # The source the policy cites for the amount (the dated value in force).
    source: str = ""


@dataclass(frozen=True)
class Renewal:
    can_renew: bool
    blockers: tuple[str, ...]
    fee: Decimal
    late_fee: Decimal
    window_opens: date
    grace_ends: date
    # Whether the body requires a current CPR/AED card to renew (ACSM-REQ-CPR).
    cpr_aed_required: bool = False
    # Renewing this certification alone: its program's fee, then the late fee in grace.
    fee_lines: tuple[FeeLine, ...] = ()


@dataclass(frozen=True)
class CertificationResult:
    id: str
    body: str
    program: str
    cycle: Cycle
    status: str
    required: Decimal
    earned: Decimal
    remaining: Decimal
    renewal: Renewal
    credits: tuple[CreditResult, ...]

    def credit(self, credit_id: str) -> CreditResult:
        return next(c for c in self.credits if c.id == credit_id)


@dataclass(frozen=True)
class Pricing:
    """How a body bills certifications renewed together, with what each member costs: the
    one place a renewal's fee lines are computed (ACSM-MULTI-FEE: the highest certification's
    fee plus an additional fee each; ACE-MULTI-1: each its own fee)."""

    bills_together: bool
    additional_fee: Decimal
    rule: str
    # (certification id, program code, program fee, program rank), in the group's order.
    members: tuple[tuple[str, str, Decimal, int], ...]
    # {certification id: its late fee} and the grace rule that sets it.
    late_fees: Mapping[str, Decimal]
    late_fee_rule: str
    # The sources the policy cites: {certification id: its program fee's, "additional": the
    # additional fee's, "late_fee": the late fee's}.
    sources: Mapping[str, str] = field(default_factory=dict)

    def lines(self, certification_ids: Iterable[str] | None = None) -> tuple[FeeLine, ...]:
        """The fee lines of renewing these members (all when None) together."""
        wanted = None if certification_ids is None else set(certification_ids)
        members = [m for m in self.members if wanted is None or m[0] in wanted]
        if not members:
            return ()
        if self.bills_together:
            ordered = sorted(members, key=lambda m: (m[3], m[2]), reverse=True)
            first, *rest = ordered
            lines = [FeeLine(FEE, first[2], first[0], first[1],
                             source=self.sources.get(first[0], ""))]
            lines += [FeeLine(ADDITIONAL, self.additional_fee, m[0], m[1], self.rule,
                              source=self.sources.get("additional", "")) for m in rest]
        else:
            lines = [FeeLine(FEE, m[2], m[0], m[1], self.rule if len(members) > 1 else "",
                             source=self.sources.get(m[0], "")) for m in members]
        late_fee = max(self.late_fees.get(m[0], Decimal(0)) for m in members)
        if late_fee:
            lines.append(FeeLine(LATE_FEE, late_fee, rule=self.late_fee_rule,
                                 source=self.sources.get("late_fee", "")))
        return tuple(lines)


@dataclass(frozen=True)
class RenewalGroup:
    body: str
    certifications: tuple[str, ...]
    required: Decimal
    fee: Decimal
    late_fee: Decimal
    cycle_end: date
    # Whether the body renews the group on one invoice (ACSM-MULTI-FEE) or each
    # certification on its own (ACE-MULTI-1).
    bills_together: bool = True
    # The fee lines of renewing the whole group; fee = the sum of its FEE/ADDITIONAL lines.
    fee_lines: tuple[FeeLine, ...] = ()
    pricing: Pricing | None = field(default=None, repr=False, compare=False)

    def fee_lines_for(self, certification_ids: Iterable[str]) -> tuple[FeeLine, ...]:
        """The fee lines of renewing only some members together (the others cannot renew
        yet), priced by the same rule as the whole group."""
        if self.pricing is None:
            return ()
        return self.pricing.lines(certification_ids)


@dataclass(frozen=True)
class Evaluation:
    as_of: date
    certifications: tuple[CertificationResult, ...]
    renewals: tuple[RenewalGroup, ...] = field(default=())

    def certification(self, certification_id: str) -> CertificationResult:
        return next(c for c in self.certifications if c.id == certification_id)
