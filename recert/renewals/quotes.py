"""What a renewal would cover and cost today, read from the engine and the policies.

Nothing here decides a rule: which certifications renew together, the requirement, the
fee and the late fee all come from `standing_of` (the engine) and the body's policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from recert.core.evaluation import Standing, standing_of
from recert.core.models import Certification, Professional
from recert.renewals.models import InvoiceLine
from recert.rules import load_policies
from recert.rules.model import CPR_AED_NOT_CURRENT, CertificationResult, RenewalGroup

ZERO = Decimal("0")
LATE_FEE_LINE = "Late fee (renewal during the grace period)"
CENT = Decimal("0.01")

BLOCKER_TEXT = {
    "short_of_required": "You have not reported the required CECs for this cycle yet.",
    "not_final_year": "Renewal opens later in the cycle.",
    "cpr_aed_not_current": "Your CPR/AED certification is not current.",
    "invalid": ("The grace period is over and the certification is invalid; it can only be "
                "restored by passing the certification exam again (contact staff)."),
}


def blocker_text(blocker: str, result: CertificationResult | None = None) -> str:
    if blocker == "not_final_year" and result is not None:
        return f"Renewal opens on {result.renewal.window_opens:%m/%d/%Y}."
    return BLOCKER_TEXT.get(blocker, blocker.replace("_", " "))


@dataclass(frozen=True)
class Line:
    description: str
    amount: Decimal
    kind: str = InvoiceLine.Kind.FEE


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
    body = load_policies().bodies[body_code]
    group = _group_of(standing, str(certification.pk))
    if group is None or not renews_together(body, as_of):
        # Each certification renews and pays on its own (ACE-MULTI-1).
        group = RenewalGroup(body_code, (str(certification.pk),), result.required,
                             result.renewal.fee, result.renewal.late_fee, result.cycle.end)
    member_ids = [i for i in group.certifications if _renewable(rows[i][1])]
    quote.members = [rows[i] for i in member_ids]
    quote.cpr_aed_required = body.param("cpr_aed_required", as_of).required
    results = [r for _, r in quote.members]
    quote.required = max(r.required for r in results)
    quote.late_fee = max(r.renewal.late_fee for r in results)
    quote.lines = _fee_lines(body, quote.members, as_of)
    whole_group = len(member_ids) == len(group.certifications)
    quote.fee = group.fee if whole_group else sum((ln.amount for ln in quote.lines), ZERO)
    if sum((ln.amount for ln in quote.lines), ZERO) != quote.fee:
        # The breakdown must add up to the engine's fee; if not, one line says it all.
        quote.lines = [Line(_names(quote.members) + " recertification", quote.fee)]
    if quote.late_fee:
        quote.lines.append(Line(LATE_FEE_LINE, quote.late_fee, InvoiceLine.Kind.LATE_FEE))
    quote.cecs_through_body, quote.cecs_other = _split_counted(standing, quote, body_code)
    return quote


def renews_together(body, as_of: date) -> bool:
    """Whether the body renews certifications whose cycles end together on one invoice
    (ACSM-MULTI-FEE: highest fee + an additional fee each) or each on its own."""
    return body.param("multi_renewal", as_of).bills_together


def _names(members) -> str:
    return ", ".join(f"{c.program.body.code} {c.program.code}" for c, _ in members)


def _fee_lines(body, members, as_of: date) -> list[Line]:
    """The highest certification's fee, then the policy's fee for each additional one."""
    programs = [(c, body.program(c.program.code, as_of)) for c, _ in members]
    programs.sort(key=lambda cp: (cp[1].rank, cp[1].fee), reverse=True)
    (first, first_program), rest = programs[0], programs[1:]
    lines = [Line(f"Recertification fee: {first.program.full_name}",
                  first_program.fee)]
    additional = body.param("multi_renewal", as_of).additional_fee
    for c, _ in rest:
        lines.append(Line(f"Additional certification: {c.program.full_name}",
                          additional, InvoiceLine.Kind.ADDITIONAL))
    return lines


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
