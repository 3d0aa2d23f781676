"""What a renewal would cover and cost today, read from the engine's results.

Nothing here decides a rule: which certifications renew together, the requirement, the
CPR/AED requirement and every fee line (fee, additional certifications, late fee) come from
`standing_of` (the engine); this module only words the lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from recert.core.evaluation import Standing, standing_of
from recert.core.models import Certification, Professional
from recert.core.words import BLOCKERS, mdy, words
from recert.renewals.models import InvoiceLine
from recert.rules.model import (
    ADDITIONAL,
    CPR_AED_NOT_CURRENT,
    LATE_FEE,
    CertificationResult,
    FeeLine,
    RenewalGroup,
)

ZERO = Decimal("0")
LATE_FEE_LINE = "Late fee (renewal during the grace period)"
CENT = Decimal("0.01")


def blocker_text(blocker: str, result: CertificationResult | None = None) -> str:
    if blocker == "not_final_year" and result is not None:
        return f"Renewal opens on {mdy(result.renewal.window_opens)}."
    return words(blocker, BLOCKERS)


@dataclass(frozen=True)
class Line:
    description: str
    amount: Decimal
    kind: str = InvoiceLine.Kind.FEE
    # The source the policy cites for the amount (engine's FeeLine.source).
    source: str = ""


@dataclass
class Quote:
    """The renewal the professional may ask for today, or why not (`refusals`)."""

    as_of: date
    certification: Certification
    result: CertificationResult | None
    body_code: str
    members: list[tuple[Certification, CertificationResult]] = field(default_factory=list)
    required: Decimal = ZERO
    fee: Decimal = ZERO
    late_fee: Decimal = ZERO
    lines: list[Line] = field(default_factory=list)
    cecs_through_body: Decimal = ZERO
    cecs_other: Decimal = ZERO
    cpr_aed_required: bool = False
    refusals: list[str] = field(default_factory=list)

    @property
    def can_renew(self) -> bool:
        return not self.refusals and bool(self.members)

    @property
    def total(self) -> Decimal:
        return self.fee + self.late_fee

    @property
    def cycle_end(self) -> date:
        return self.result.cycle.end


def _renewable(result: CertificationResult) -> bool:
    # A CPR/AED date that lapsed can be corrected on the form itself (its own field,
    # checked there), so that blocker alone does not keep the form closed.
    return not (set(result.renewal.blockers) - {CPR_AED_NOT_CURRENT})


def _group_of(standing: Standing, certification_id: str) -> RenewalGroup | None:
    return next((g for g in standing.evaluation.renewals
                 if certification_id in g.certifications), None)


def quote_renewal(professional: Professional, certification_id: int, as_of: date) -> Quote | None:
    """None when the certification is not the professional's (or deleted)."""
    standing = standing_of(professional, as_of)
    rows = {str(c.pk): (c, r) for c, r in standing.rows()}
    found = rows.get(str(certification_id))
    if found is None:
        return None
    certification, result = found
    body_code = certification.program.body.code
    quote = Quote(as_of, certification, result, body_code)
    if result is None:
        quote.refusals.append("This certification could not be evaluated.")
        return quote
    if not _renewable(result):
        quote.refusals.extend(blocker_text(b, result) for b in result.renewal.blockers)
        return quote
    group = _group_of(standing, str(certification.pk))
    if group is None or not group.bills_together:
        # Each certification renews and pays on its own (ACE-MULTI-1).
        member_ids = [str(certification.pk)]
        fee_lines = result.renewal.fee_lines
    else:
        # The group's members that may renew today, priced by the engine's rule for them.
        member_ids = [i for i in group.certifications if _renewable(rows[i][1])]
        fee_lines = group.fee_lines_for(member_ids)
    quote.members = [rows[i] for i in member_ids]
    quote.cpr_aed_required = result.renewal.cpr_aed_required
    quote.required = max(r.required for _, r in quote.members)
    quote.lines = [Line(_description(line, rows), line.amount, InvoiceLine.Kind(line.kind),
                        line.source) for line in fee_lines]
    quote.fee = sum((ln.amount for ln in quote.lines if ln.kind != LATE_FEE), ZERO)
    quote.late_fee = sum((ln.amount for ln in quote.lines if ln.kind == LATE_FEE), ZERO)
    quote.cecs_through_body, quote.cecs_other = _split_counted(standing, quote, body_code)
    return quote


def _description(line: FeeLine, rows) -> str:
    """A fee line in the invoice's words; the amounts and kinds are the engine's."""
    if line.kind == LATE_FEE:
        return LATE_FEE_LINE
    program = rows[line.certification][0].program
    what = "Additional certification" if line.kind == ADDITIONAL else "Recertification fee"
    return f"{what}: {program.full_name}"


def _split_counted(standing: Standing, quote: Quote, body_code: str) -> tuple[Decimal, Decimal]:
    """Counted CECs of the highest-requirement certification, split by awarding body."""
    _, result = max(quote.members, key=lambda m: m[1].required)
    awarded_by = {str(e.pk): e.awarded_by for e in standing.credits}
    through, other = ZERO, ZERO
    for credit in result.credits:
        if credit.counted <= 0:
            continue
        if awarded_by.get(credit.id) == body_code:
            through += credit.counted
        else:
            other += credit.counted
    return through, other
