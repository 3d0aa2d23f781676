"""The engine's input and output: plain, immutable values mirroring EVALUATE.md.

Nothing here knows about Django, a database or the clock.
"""

from __future__ import annotations

from collections.abc import Mapping
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


@dataclass(frozen=True)
class Renewal:
    can_renew: bool
    blockers: tuple[str, ...]
    fee: Decimal
    late_fee: Decimal
    window_opens: date
    grace_ends: date


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
class RenewalGroup:
    body: str
    certifications: tuple[str, ...]
    required: Decimal
    fee: Decimal
    late_fee: Decimal
    cycle_end: date


@dataclass(frozen=True)
class Evaluation:
    as_of: date
    certifications: tuple[CertificationResult, ...]
    renewals: tuple[RenewalGroup, ...] = field(default=())

    def certification(self, certification_id: str) -> CertificationResult:
        return next(c for c in self.certifications if c.id == certification_id)
