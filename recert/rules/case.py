"""Reading an evaluation case (EVALUATE.md's JSON input) and writing its result.

`parse_case` collects every problem, one line per field (`credits[3].amount: not a
decimal`), instead of stopping at the first: a person fixing a file wants them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from .model import (
    DECISION_OUTCOMES,
    FORMATS,
    GRADES,
    PETITION_STATES,
    UNITS,
    CertificationIn,
    CertificationResult,
    CreditIn,
    CreditResult,
    Decision,
    Evaluation,
    FeeLine,
)
from .policy import Policies


@dataclass(frozen=True)
class Case:
    as_of: date | None
    certifications: tuple[CertificationIn, ...]
    credits: tuple[CreditIn, ...]


class CaseError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def format_decimal(value: Decimal) -> str:
    """ "15", "38.5", "1.2": no exponent, no trailing zeros, no float noise."""
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    return text


def format_money(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


def parse_date(value: Any) -> date:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("not a date (expected YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not a calendar date: {value}") from None


class _Reader:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def text(self, obj: dict, key: str, where: str, *, required: bool) -> str | None:
        value = obj.get(key)
        if value is None:
            if required:
                self.problem(f"{where}.{key}", "required")
            return None
        if not isinstance(value, str):
            self.problem(f"{where}.{key}", "not a string")
            return None
        if required and not value.strip():
            self.problem(f"{where}.{key}", "required (empty)")
            return None
        return value

    def date(self, obj: dict, key: str, where: str, *, required: bool) -> date | None:
        value = obj.get(key)
        if value is None:
            if required:
                self.problem(f"{where}.{key}", "required (YYYY-MM-DD)")
            return None
        try:
            return parse_date(value)
        except ValueError as exc:
            self.problem(f"{where}.{key}", str(exc))
            return None

    def choice(
        self,
        obj: dict,
        key: str,
        where: str,
        accepted: tuple[str, ...],
        what: str,
        *,
        required: bool,
        default: str | None = None,
    ) -> str | None:
        value = obj.get(key, default)
        if value is None:
            if required:
                self.problem(f"{where}.{key}", f"required (one of: {', '.join(accepted)})")
            return None
        if value not in accepted:
            shown = value if isinstance(value, str) else repr(value)
            self.problem(
                f"{where}.{key}", f"unknown {what} {shown!r} (accepted: {', '.join(accepted)})"
            )
            return None
        return value


def parse_case(data: Any, policies: Policies) -> Case:
    r = _Reader()
    if not isinstance(data, dict):
        raise CaseError(["case: expected a JSON object with certifications and credits"])

    as_of = None
    if data.get("as_of") is not None:
        as_of = r.date(data, "as_of", "case", required=False)
        r.problems = [p.replace("case.as_of", "as_of") for p in r.problems]

    certifications: list[CertificationIn] = []
    raw_certs = data.get("certifications")
    if not isinstance(raw_certs, list):
        r.problem("certifications", "required (a list)" if raw_certs is None else "not a list")
        raw_certs = []
    ids: set[str] = set()
    for i, raw in enumerate(raw_certs):
        where = f"certifications[{i}]"
        if not isinstance(raw, dict):
            r.problem(where, "not an object")
            continue
        before = len(r.problems)
        cid = r.text(raw, "id", where, required=True)
        if cid is not None and cid in ids:
            r.problem(f"{where}.id", f"duplicate id {cid!r}")
        ids.add(cid or "")
        body_code = r.choice(raw, "body", where, tuple(policies.bodies), "body", required=True)
        program = None
        if body_code:
            body = policies.bodies[body_code]
            program = r.choice(
                raw,
                "program",
                where,
                tuple(body.program_codes),
                f"{body_code} program",
                required=True,
            )
        certified_on = r.date(raw, "certified_on", where, required=True)
        start = r.date(raw, "cycle_start", where, required=False)
        end = r.date(raw, "cycle_end", where, required=False)
        if (raw.get("cycle_start") is None) != (raw.get("cycle_end") is None):
            missing = "cycle_end" if raw.get("cycle_end") is None else "cycle_start"
            r.problem(
                f"{where}.{missing}",
                "required when the other cycle date is given (both or neither)",
            )
        elif start and end and start > end:
            r.problem(f"{where}.cycle_end", f"before cycle_start ({start.isoformat()})")
        cpr = r.date(raw, "cpr_aed_valid_until", where, required=False)
        claimed = _claimed_credits(r, raw, where)
        if len(r.problems) == before:
            certifications.append(
                CertificationIn(
                    cid, body_code, program, certified_on, start, end, cpr, claimed
                )  # type: ignore[arg-type]
            )

    credits: list[CreditIn] = []
    raw_credits = data.get("credits", [])
    if not isinstance(raw_credits, list):
        r.problem("credits", "not a list")
        raw_credits = []
    organizations = policies.awarding_organizations
    credit_ids: set[str] = set()
    for i, raw in enumerate(raw_credits):
        where = f"credits[{i}]"
        if not isinstance(raw, dict):
            r.problem(where, "not an object")
            continue
        before = len(r.problems)
        cid = r.text(raw, "id", where, required=True)
        if cid is not None and cid in credit_ids:
            r.problem(f"{where}.id", f"duplicate id {cid!r}")
        credit_ids.add(cid or "")
        earned_on = r.date(raw, "earned_on", where, required=True)
        fmt = r.choice(raw, "format", where, FORMATS, "format", required=True)
        unit = r.choice(raw, "unit", where, UNITS, "unit", required=True)
        awarded_by = r.choice(
            raw,
            "awarded_by",
            where,
            organizations,
            "awarding organization",
            required=False,
            default="OTHER",
        )
        amount = _amount(r, raw, where)
        title = r.text(raw, "title", where, required=False) or ""
        provider = r.text(raw, "provider", where, required=False)
        course_number = r.text(raw, "course_number", where, required=False)
        grade = raw.get("grade")
        if grade is not None:
            grade = grade.strip().upper() if isinstance(grade, str) else grade
            if grade not in GRADES:
                r.problem(
                    f"{where}.grade",
                    f"not a letter grade {raw.get('grade')!r} (accepted: A…F with + or -)",
                )
        published_on = r.date(raw, "published_on", where, required=False)
        petition = r.choice(
            raw, "petition", where, PETITION_STATES, "petition state", required=False
        )
        if fmt == "new_certification" and course_number is None:
            r.problem(
                f"{where}.course_number", 'required for new_certification (the program, e.g. "EP")'
            )
        elif fmt == "new_certification" and awarded_by in policies.bodies:
            body = policies.bodies[awarded_by]
            if body.resolve_program(course_number.strip().upper()) is None:
                r.problem(
                    f"{where}.course_number",
                    f"unknown {awarded_by} program {course_number!r} "
                    f"(accepted: {', '.join(body.program_codes)})",
                )
        decisions = _decisions(r, raw, where, policies)
        if len(r.problems) == before:
            credits.append(
                CreditIn(
                    id=cid,
                    earned_on=earned_on,
                    format=fmt,
                    amount=amount,
                    unit=unit,  # type: ignore[arg-type]
                    awarded_by=awarded_by or "OTHER",
                    title=title,
                    provider=provider,
                    course_number=course_number,
                    grade=grade,
                    published_on=published_on,
                    petition=petition,
                    decisions=decisions,
                )
            )
    for i, cert in enumerate(raw_certs):
        claimed = cert.get("claimed_credits") if isinstance(cert, dict) else None
        for j, credit_id in enumerate(claimed if isinstance(claimed, list) else []):
            if isinstance(credit_id, str) and credit_id not in credit_ids:
                r.problem(
                    f"certifications[{i}].claimed_credits[{j}]",
                    f"unknown credit id {credit_id!r} (accepted: the ids in credits)",
                )
    if r.problems:
        raise CaseError(r.problems)
    return Case(as_of, tuple(certifications), tuple(credits))


def _claimed_credits(r: _Reader, raw: dict, where: str) -> tuple[str, ...]:
    """ACSM-GRACE-2: the ids of credits an earlier late renewal claimed (a list of strings)."""
    value = raw.get("claimed_credits")
    if value is None:
        return ()
    if not isinstance(value, list):
        r.problem(f"{where}.claimed_credits", "not a list (a list of credit ids)")
        return ()
    ids = []
    for j, credit_id in enumerate(value):
        if not isinstance(credit_id, str) or not credit_id.strip():
            r.problem(f"{where}.claimed_credits[{j}]", "not a credit id (a string)")
        else:
            ids.append(credit_id)
    return tuple(ids)


def _decisions(r: _Reader, raw: dict, where: str, policies: Policies) -> dict[str, Decision]:
    """REVIEW-1: `{"BODY": {"outcome": "accepted", "counted_as": "0.8"}}` per body."""
    value = raw.get("decisions")
    if value is None:
        return {}
    if not isinstance(value, dict):
        r.problem(f"{where}.decisions", 'not an object ({"BODY": {"outcome": ...}})')
        return {}
    decisions = {}
    for body_code, decision in value.items():
        at = f"{where}.decisions.{body_code}"
        if body_code not in policies.bodies:
            r.problem(
                f"{where}.decisions",
                f"unknown body {body_code!r} (accepted: {', '.join(policies.bodies)})",
            )
            continue
        if not isinstance(decision, dict):
            r.problem(at, "not an object (outcome, counted_as, reason)")
            continue
        unknown = sorted(set(decision) - {"outcome", "counted_as", "reason"})
        if unknown:
            r.problem(
                f"{at}.{unknown[0]}", "unknown field (accepted: outcome, counted_as, reason)"
            )
        before = len(r.problems)
        outcome = r.choice(decision, "outcome", at, DECISION_OUTCOMES, "outcome", required=True)
        reason = r.text(decision, "reason", at, required=outcome == "rejected") or ""
        counted_as = None
        if decision.get("counted_as") is not None:
            if outcome == "rejected":
                r.problem(f"{at}.counted_as", "only an accepted decision gives an amount")
            else:
                counted_as = _decimal(r, decision, "counted_as", at)
        if len(r.problems) == before and not unknown:
            decisions[body_code] = Decision(outcome, counted_as, reason)  # type: ignore[arg-type]
    return decisions


def _amount(r: _Reader, raw: dict, where: str) -> Decimal | None:
    if raw.get("amount") is None:
        r.problem(f"{where}.amount", 'required (a decimal string such as "1.5")')
        return None
    return _decimal(r, raw, "amount", where)


def _decimal(r: _Reader, raw: dict, key: str, where: str) -> Decimal | None:
    """A non-negative decimal string ("1.5"); floats are refused (no float money math)."""
    value = raw.get(key)
    if not isinstance(value, str):
        r.problem(
            f"{where}.{key}",
            f'not a decimal string (write "{value}" in quotes; floats are not accepted)',
        )
        return None
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        r.problem(f"{where}.{key}", f"not a decimal: {value!r}")
        return None
    if not amount.is_finite():
        r.problem(f"{where}.{key}", f"not a decimal: {value!r}")
        return None
    if amount < 0:
        r.problem(f"{where}.{key}", f"must not be negative: {value!r}")
        return None
    return amount


def certification_json(result: CertificationResult, *, detail: bool = False) -> dict[str, Any]:
    """One certification in EVALUATE.md's output shape. `detail` adds what pages need beyond
    the contract (CPR/AED requirement, window and grace dates, fee lines): the contract's
    consumers compare its objects as given, so the extras are asked for, never imposed."""
    renewal = {
        "can_renew": result.renewal.can_renew,
        "blockers": list(result.renewal.blockers),
        "fee": format_money(result.renewal.fee),
        "late_fee": format_money(result.renewal.late_fee),
    }
    if detail:
        renewal |= {
            "cpr_aed_required": result.renewal.cpr_aed_required,
            "window_opens": result.renewal.window_opens.isoformat(),
            "grace_ends": result.renewal.grace_ends.isoformat(),
            "fee_lines": [_fee_line_json(ln) for ln in result.renewal.fee_lines],
        }
    return {
        "id": result.id,
        "body": result.body,
        "program": result.program,
        "cycle": {"start": result.cycle.start.isoformat(), "end": result.cycle.end.isoformat()},
        "status": result.status,
        "required": format_decimal(result.required),
        "earned": format_decimal(result.earned),
        "remaining": format_decimal(result.remaining),
        "renewal": renewal,
        "credits": [_credit_json(c) for c in result.credits],
    }


def _credit_json(credit: CreditResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": credit.id,
        "outcome": credit.outcome,
        "converted": format_decimal(credit.converted),
        "counted": format_decimal(credit.counted),
        "rules": list(credit.rules),
    }
    if credit.reason:  # a person's reason for this body (REVIEW-1)
        out["reason"] = credit.reason
    if credit.expires_on is not None:  # a self-test issue's last day (ACSM-SELFTEST-1)
        out["expires_on"] = credit.expires_on.isoformat()
    return out


def _fee_line_json(line: FeeLine) -> dict[str, Any]:
    return {
        "kind": line.kind,
        "amount": format_money(line.amount),
        "certification": line.certification,
        "program": line.program,
        "rule": line.rule,
    }


def evaluation_json(evaluation: Evaluation, *, detail: bool = False) -> dict[str, Any]:
    """EVALUATE.md's output; `detail` as in certification_json."""
    renewals = []
    for g in evaluation.renewals:
        group = {
            "body": g.body,
            "certifications": list(g.certifications),
            "required": format_decimal(g.required),
            "fee": format_money(g.fee),
        }
        if detail:
            group |= {
                "late_fee": format_money(g.late_fee),
                "cycle_end": g.cycle_end.isoformat(),
                "bills_together": g.bills_together,
                "fee_lines": [_fee_line_json(ln) for ln in g.fee_lines],
            }
        renewals.append(group)
    return {
        "as_of": evaluation.as_of.isoformat(),
        "certifications": [certification_json(c, detail=detail)
                           for c in evaluation.certifications],
        "renewals": renewals,
    }
