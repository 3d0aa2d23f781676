"""Typed policy parameters: one small frozen class per kind of parameter, one loader for all.

A policy file's value (strings only: YAML's BaseLoader) is turned into one of the classes
below by `build()`, which reads the class's fields: their types say how to parse a value
(Decimal, int, bool, str, a tuple of them or of rows), their defaults which keys may be
left out, and `choice(...)` which words are accepted. Checks that tie fields together live in
the class's `__post_init__`. Errors name the key and what is accepted
(`late_fee: not a decimal: 'ten'`, `[0].per: unknown 'week' (accepted: cycle, calendar_year)`);
the loader (policy.py) adds the file and the parameter. This is the role OpenFisca's
parameter nodes play: engine code reads attributes of checked values, never raw mappings.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from .model import FORMATS, GRADES, UNITS

TREATMENTS = ("convert", "reject", "fixed", "per_item", "college", "new_certification", "petition")
ZERO = Decimal(0)


def choice(*accepted: str, default: Any = dataclasses.MISSING) -> Any:
    """A field (or each item of a tuple field) that takes one of `accepted`."""
    return field(default=default, metadata={"accepted": accepted})


# --- the kinds of parameters -------------------------------------------------------------


@dataclass(frozen=True)
class Program:
    """`programs.<CODE>`: a program's requirement and fee (ACSM-REQ-1, ACE-REQ-1)."""

    name: str
    required: Decimal
    fee: Decimal
    rank: int
    specialty: bool
    formerly: tuple[str, ...] = ()


@dataclass(frozen=True)
class NewCertificationAward:
    """`new_certification.<CODE>`: credits for earning that program (ACSM-NEWCERT-1)."""

    credits: Decimal
    rule: str


@dataclass(frozen=True)
class CycleRule:
    """`cycle`: the shape of a reporting period."""

    kind: str = choice("calendar_years", "months_to_month_end")
    rule: str
    first_cycle_years: int | None = None
    renewal_cycle_years: int | None = None
    months: int | None = None

    def __post_init__(self) -> None:
        needs = {
            "calendar_years": ("first_cycle_years", "renewal_cycle_years"),
            "months_to_month_end": ("months",),
        }[self.kind]
        for name in needs:
            if getattr(self, name) is None:
                raise ValueError(f"{name}: required for kind {self.kind}")


@dataclass(frozen=True)
class RenewalWindow:
    """`renewal_window`: "Renew now" opens this many months before the cycle end (null:
    from the cycle start)."""

    rule: str
    opens_months_before_end: int | None = None


@dataclass(frozen=True)
class Grace:
    """`grace`: months after the cycle end, the late fee, and whether credits earned then
    count toward the ended cycle (ACSM-GRACE-2)."""

    months: int
    late_fee: Decimal
    rule: str
    counts_credits: bool = False
    credits_rule: str = ""

    def __post_init__(self) -> None:
        if self.counts_credits and not self.credits_rule:
            raise ValueError("credits_rule: required when counts_credits is true")


@dataclass(frozen=True)
class CprAedRequired:
    """`cpr_aed_required`: renewal needs a current CPR/AED card."""

    required: bool
    rule: str


@dataclass(frozen=True)
class MultiRenewal:
    """`multi_renewal`: how certifications whose cycles end together are billed."""

    fee: str = choice("highest_plus_additional", "sum")
    rules: tuple[str, ...]
    additional_fee: Decimal = ZERO

    @property
    def bills_together(self) -> bool:
        """One invoice for the group (the highest fee plus an additional fee each)."""
        return self.fee == "highest_plus_additional"


@dataclass(frozen=True)
class Conversion:
    """One row of `conversions`: the first row matching unit, awarder and format decides."""

    unit: str = choice(*UNITS)
    rule: str
    awarded_by: tuple[str, ...] | None = None
    formats: tuple[str, ...] | None = None
    rate: Decimal | None = None
    review: bool = False
    min_grade: str | None = choice(*GRADES, default=None)

    def __post_init__(self) -> None:
        if not self.review and self.rate is None:
            raise ValueError("rate: required unless review: true")

    def matches(self, unit: str, awarded_by: str, fmt: str) -> bool:
        return (
            self.unit == unit
            and (self.awarded_by is None or awarded_by in self.awarded_by)
            and (self.formats is None or fmt in self.formats)
        )


@dataclass(frozen=True)
class FormatRule:
    """`formats.<format>`: how the body treats a kind of activity."""

    treatment: str = choice(*TREATMENTS)
    rules: tuple[str, ...]
    credits: Decimal | None = None
    min_grade: str | None = choice(*GRADES, default=None)
    expires_after_months: int | None = None
    approved_by_course_number: bool = False

    def __post_init__(self) -> None:
        if self.treatment in ("fixed", "per_item") and self.credits is None:
            raise ValueError(f"credits: required for treatment {self.treatment}")
        if self.treatment == "college" and self.min_grade is None:
            raise ValueError("min_grade: required for treatment college")


@dataclass(frozen=True)
class Cap:
    """One row of `caps`: at most `credits` (or a share of the requirement) of these formats
    per cycle or calendar year."""

    rule: str
    formats: tuple[str, ...] = choice(*FORMATS)
    per: str = choice("cycle", "calendar_year")
    credits: Decimal | None = None
    share_of_required: Decimal | None = None

    def __post_init__(self) -> None:
        if (self.credits is None) == (self.share_of_required is None):
            raise ValueError("credits: give exactly one of credits, share_of_required")

    def limit(self, required: Decimal) -> Decimal:
        if self.credits is not None:
            return self.credits
        return self.share_of_required * required  # type: ignore[operator]


@dataclass(frozen=True)
class SameCourse:
    """`same_course`: a repeated course counts once per cycle, or ever."""

    rule: str
    scope: str = choice("cycle", "ever")
    rules_by_format: dict[str, str] = field(default_factory=dict)
    exempt_formats: tuple[str, ...] = choice(*FORMATS, default=())

    def repeat_rule(self, fmt: str) -> str | None:
        """The rule that makes a repeat of this format count once; None when it may recur."""
        if fmt in self.exempt_formats:
            return None
        return self.rules_by_format.get(fmt, self.rule)


@dataclass(frozen=True)
class DateOutcome:
    """`before_certification`, `outside_cycle`: the outcome of a credit dated there."""

    outcome: str = choice("rejected", "outside_cycle")
    rules: tuple[str, ...]


@dataclass(frozen=True)
class CourseNumbers:
    """`course_numbers`: what an approved course number looks like (ACE-COURSE-1)."""

    pattern: str
    rule: str
    example: str = ""
    format: str = ""

    def __post_init__(self) -> None:
        try:
            re.compile(self.pattern)
        except re.error as exc:
            raise ValueError(f"pattern: not a regular expression: {exc}") from None

    def matches(self, number: str | None) -> bool:
        return bool(number) and re.fullmatch(self.pattern, number.strip().upper()) is not None


@dataclass(frozen=True)
class Documents:
    """`documents`: formats that need a document when reported, and how long to keep them."""

    required_for: tuple[str, ...] = choice(*FORMATS)
    retention_years: int
    retention_from: str = choice("renewal", "completion")
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Audit:
    """`audit`: the yearly audit's rate and periods (ACSM-AUDIT-1)."""

    rate: Decimal
    response_days: int
    inactive_months: int
    replacement_days: int
    rule: str


@dataclass(frozen=True)
class Rows:
    """A parameter whose value is a list of `row` (conversions, caps)."""

    row: type
    what: str


# Every parameter a body's policy may define: its kind, and for nested parameters the
# child names (None: any name, checked against the body's programs).
PARAMETERS: dict[str, tuple[Any, tuple[str, ...] | None] | Any] = {
    "programs": (Program, None),
    "new_certification": (NewCertificationAward, None),
    "cycle": CycleRule,
    "renewal_window": RenewalWindow,
    "grace": Grace,
    "cpr_aed_required": CprAedRequired,
    "multi_renewal": MultiRenewal,
    "conversions": Rows(Conversion, "conversion rows"),
    "formats": (FormatRule, FORMATS),
    "caps": Rows(Cap, "caps"),
    "same_course": SameCourse,
    "before_certification": DateOutcome,
    "outside_cycle": DateOutcome,
    "course_numbers": CourseNumbers,
    "documents": Documents,
    "audit": Audit,
}

# --- the one loader ------------------------------------------------------------------------


def is_null(value: Any) -> bool:
    return value is None or value in ("null", "~", "")


def build(kind: Any, raw: Any) -> Any:
    """A checked value of `kind` (a parameter class or Rows) from a policy file's value."""
    if isinstance(kind, Rows):
        if not isinstance(raw, list):
            raise ValueError(f"expected a list of {kind.what}")
        rows = []
        for i, item in enumerate(raw):
            try:
                rows.append(_build_class(kind.row, item))
            except ValueError as exc:
                # "[0].unit: unknown 'hours'" for a field, "[0]: unknown key 'x'" for the row.
                sep = "." if re.match(r"^\w+: ", str(exc)) else ": "
                raise ValueError(f"[{i}]{sep}{exc}") from None
        return tuple(rows)
    return _build_class(kind, raw)


@cache
def _fields(cls: type) -> tuple[tuple[dataclasses.Field, Any], ...]:
    hints = typing.get_type_hints(cls)
    return tuple((f, hints[f.name]) for f in dataclasses.fields(cls))


def _build_class(cls: type, raw: Any) -> Any:
    fields = _fields(cls)
    names = [f.name for f, _ in fields]
    if not isinstance(raw, dict):
        raise ValueError(f"expected a mapping (keys: {', '.join(names)})")
    unknown = sorted(set(raw) - set(names))
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} (accepted: {', '.join(sorted(names))})")
    # A field with no default must be given.
    for f, _ in fields:
        missing = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if missing and f.name not in raw:
            raise ValueError(f"{f.name}: required")
    values = {}
    for f, hint in fields:
        if f.name in raw:
            values[f.name] = _parse(raw[f.name], hint, f.name, f.metadata.get("accepted"))
    return cls(**values)


def raw(value: Any) -> Any:
    """The policy-file form of a built value (strings, lists, mappings): `build(kind,
    raw(v)) == v`. Dated values recorded elsewhere (the staff console's) are stored so, and
    read by the same loader as the shipped files."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: raw(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [raw(v) for v in value]
    if isinstance(value, dict):
        return {str(k): raw(v) for k, v in value.items()}
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _parse(value: Any, hint: Any, name: str, accepted: tuple[str, ...] | None) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        if is_null(value):
            return None
        (hint,) = [a for a in args if a is not type(None)]
        return _parse(value, hint, name, accepted)
    if origin is tuple:
        if not isinstance(value, list):
            raise ValueError(f"{name}: expected a list")
        return tuple(_parse(v, args[0], name, accepted) for v in value)
    if origin is dict:
        if is_null(value):
            return {}
        if not isinstance(value, dict):
            raise ValueError(f"{name}: expected a mapping")
        return {str(k): str(v) for k, v in value.items()}
    if isinstance(value, (dict, list)):
        raise ValueError(f"{name}: expected one value, not a {type(value).__name__}")
    if hint is Decimal:
        try:
            result = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(f"{name}: not a decimal: {value!r}") from None
        if not result.is_finite():
            raise ValueError(f"{name}: not a finite decimal: {value!r}")
        return result
    if hint is bool:
        text = str(value).lower()
        if text in ("true", "yes"):
            return True
        if text in ("false", "no"):
            return False
        raise ValueError(f"{name}: not true/false: {value!r}")
    if hint is int:
        if not re.fullmatch(r"-?\d+", str(value)):
            raise ValueError(f"{name}: not a whole number: {value!r}")
        return int(value)
    text = str(value)
    if accepted is not None and text not in accepted:
        raise ValueError(f"{name}: unknown {text!r} (accepted: {', '.join(accepted)})")
    return text
