"""Dated policy parameters, loaded from one folder of YAML files per certifying body.

A parameter is a mapping of effective dates to ``{value, source}``; the value in force
on a day is the one with the latest start on or before that day, and a ``null`` value
ends the rule. Parameters nest (``formats.teaching``); a node is either a dated leaf
(every key a date) or a mapping of named children.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .model import FORMATS, UNITS

SHIPPED = Path(__file__).resolve().parent / "policies"
DATE_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MISSING = object()


class PolicyError(ValueError):
    """A policy file is malformed; the message names the file and the key."""


@dataclass(frozen=True)
class Dated:
    """One dated value of a parameter, with the source it cites."""

    start: date
    value: Any
    source: str


@dataclass(frozen=True)
class ProgramPolicy:
    code: str
    name: str
    specialty: bool


class Parameter:
    """The history of one parameter: dated values, the latest start on or before D wins."""

    def __init__(self, name: str, values: list[Dated]):
        self.name = name
        self.values = sorted(values, key=lambda d: d.start)

    def entry_at(self, day: date) -> Dated | None:
        found = None
        for dated in self.values:
            if dated.start <= day:
                found = dated
            else:
                break
        return found

    def at(self, day: date) -> Any:
        entry = self.entry_at(day)
        return None if entry is None else entry.value

    @property
    def change_dates(self) -> list[date]:
        return [d.start for d in self.values]


# The parameters a body's policy may define. Children are listed where the names are fixed;
# `None` means "any child names" (program codes), checked against the body's programs.
SCHEMA: dict[str, Any] = {
    "programs": None,
    "new_certification": None,
    "cycle": "leaf",
    "renewal_window": "leaf",
    "grace": "leaf",
    "cpr_aed_required": "leaf",
    "multi_renewal": "leaf",
    "conversions": "leaf",
    "formats": FORMATS,
    "caps": "leaf",
    "same_course": "leaf",
    "before_certification": "leaf",
    "outside_cycle": "leaf",
    "course_numbers": "leaf",
    "documents": "leaf",
    "audit": "leaf",
}
REQUIRED = (
    "programs",
    "cycle",
    "renewal_window",
    "grace",
    "cpr_aed_required",
    "multi_renewal",
    "conversions",
    "formats",
    "caps",
    "same_course",
    "before_certification",
    "outside_cycle",
)


class BodyPolicy:
    """Everything one certifying body's policy says, answerable for any date."""

    def __init__(
        self,
        code: str,
        name: str,
        parameters: dict[str, Parameter],
        folder: Path,
        rule_texts: dict[str, str] | None = None,
    ):
        self.code = code
        self.name = name
        self.parameters = parameters
        self.folder = folder
        # Plain words for each rule id, kept beside the values they describe.
        self.rule_texts = rule_texts or {}

    def __repr__(self) -> str:
        return f"<BodyPolicy {self.code}>"

    def param(self, name: str, on: date, default: Any = _MISSING) -> Any:
        parameter = self.parameters.get(name)
        value = None if parameter is None else parameter.at(on)
        if value is None:
            if default is _MISSING:
                raise KeyError(f"{self.code}: no value of {name} in force on {on.isoformat()}")
            return default
        return value

    def source(self, name: str, on: date) -> str | None:
        parameter = self.parameters.get(name)
        entry = parameter.entry_at(on) if parameter else None
        return entry.source if entry else None

    @property
    def program_codes(self) -> list[str]:
        return [k.split(".", 1)[1] for k in self.parameters if k.startswith("programs.")]

    @property
    def programs(self) -> dict[str, ProgramPolicy]:
        """Programs as they stand in their latest dated value (names for display)."""
        result = {}
        for code in self.program_codes:
            latest = self.parameters[f"programs.{code}"].values[-1].value
            if latest is not None:
                result[code] = ProgramPolicy(code, latest["name"], bool(latest["specialty"]))
        return result

    def program(self, code: str, on: date) -> dict[str, Any]:
        return self.param(f"programs.{code}", on)

    def resolve_program(self, code: str) -> str | None:
        """A program code, or a former name of one (HFS → EP), to the current code."""
        if f"programs.{code}" in self.parameters:
            return code
        for current in self.program_codes:
            for dated in self.parameters[f"programs.{current}"].values:
                if dated.value and code in dated.value.get("formerly", ()):
                    return current
        return None


class Policies:
    """All loaded bodies plus the awarding organizations their conversion tables know."""

    def __init__(self, bodies: dict[str, BodyPolicy], organizations: dict[str, str]):
        self.bodies = bodies
        self.organizations = organizations

    def rule_text(self, rule_id: str) -> str | None:
        """The plain words a body's policy gives for one of its rule ids."""
        for body in self.bodies.values():
            if rule_id in body.rule_texts:
                return body.rule_texts[rule_id]
        return None

    @property
    def awarding_organizations(self) -> tuple[str, ...]:
        codes = list(self.organizations)
        codes += [code for code in self.bodies if code not in self.organizations]
        return tuple(codes)


def load_policies(*folders: Path | str) -> Policies:
    """Load the shipped policies, plus any extra body folders (or roots of body folders)."""
    if not folders:
        return _shipped()
    return _load(tuple(Path(f) for f in folders))


@cache
def _shipped() -> Policies:
    return _load((SHIPPED,))


def _load(roots: tuple[Path, ...]) -> Policies:
    bodies: dict[str, BodyPolicy] = {}
    organizations: dict[str, str] = {}
    for root in roots:
        body_dirs = (
            [root]
            if (root / "body.yaml").exists()
            else sorted(p for p in root.iterdir() if p.is_dir() and (p / "body.yaml").exists())
        )
        orgs_file = root / "organizations.yaml"
        if orgs_file.exists():
            organizations.update(_load_organizations(orgs_file))
        for folder in body_dirs:
            body = _load_body(folder)
            if body.code in bodies:
                raise PolicyError(f"{folder}: body {body.code} is defined twice")
            bodies[body.code] = body
    if not bodies:
        raise PolicyError(f"no policy folders found in {', '.join(map(str, roots))}")
    return Policies(bodies, organizations)


def _read_yaml(path: Path) -> Any:
    try:
        # BaseLoader keeps every scalar a string: dates and decimals are parsed by us,
        # so "0.1" never becomes a float and "2025-02-01" is checked as a date key.
        return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML: {exc}") from exc


def _load_organizations(path: Path) -> dict[str, str]:
    data = _read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("organizations"), dict):
        raise PolicyError(f"{path}: expected a mapping 'organizations: {{CODE: name}}'")
    return {str(k): str(v) for k, v in data["organizations"].items()}


def _load_body(folder: Path) -> BodyPolicy:
    meta_path = folder / "body.yaml"
    meta = _read_yaml(meta_path)
    if not isinstance(meta, dict):
        raise PolicyError(f"{meta_path}: expected a mapping with 'code' and 'name'")
    unknown = set(meta) - {"code", "name"}
    if unknown:
        raise PolicyError(f"{meta_path}: unknown key {sorted(unknown)[0]!r} (accepted: code, name)")
    for key in ("code", "name"):
        if not meta.get(key):
            raise PolicyError(f"{meta_path}: {key}: required")
    code = str(meta["code"])

    parameters: dict[str, Parameter] = {}
    rule_texts = _load_rule_texts(folder / "rules.yaml")
    for path in sorted(folder.glob("*.yaml")):
        if path.name in ("body.yaml", "rules.yaml"):
            continue
        data = _read_yaml(path)
        if data is None:
            continue
        if not isinstance(data, dict):
            raise PolicyError(f"{path}: expected a mapping of parameter names")
        for name, node in data.items():
            if name not in SCHEMA:
                raise PolicyError(
                    f"{path}: {name}: unknown parameter (accepted: {', '.join(SCHEMA)})"
                )
            if any(p == name or p.startswith(name + ".") for p in parameters):
                raise PolicyError(f"{path}: {name}: defined in more than one file")
            children = SCHEMA[name]
            if children == "leaf":
                parameters[name] = _parameter(path, name, node)
                continue
            if not isinstance(node, dict):
                raise PolicyError(f"{path}: {name}: expected a mapping of names")
            for child, child_node in node.items():
                if children is not None and child not in children:
                    raise PolicyError(
                        f"{path}: {name}.{child}: unknown name (accepted: {', '.join(children)})"
                    )
                parameters[f"{name}.{child}"] = _parameter(path, f"{name}.{child}", child_node)

    body = BodyPolicy(code, str(meta["name"]), parameters, folder, rule_texts)
    _check_body(body)
    return body


def _load_rule_texts(path: Path) -> dict[str, str]:
    """`rules: {RULE-ID: plain words}` — optional; what a page says about a rule id."""
    if not path.exists():
        return {}
    data = _read_yaml(path)
    if not isinstance(data, dict) or set(data) != {"rules"} or not isinstance(data["rules"], dict):
        raise PolicyError(f"{path}: expected one mapping 'rules: {{RULE-ID: plain words}}'")
    texts = {}
    for rule_id, text in data["rules"].items():
        if not isinstance(text, str) or not text.strip():
            raise PolicyError(f"{path}: rules.{rule_id}: expected the rule in plain words")
        texts[str(rule_id)] = " ".join(text.split())
    return texts


def _parameter(path: Path, name: str, node: Any) -> Parameter:
    if not isinstance(node, dict) or not node:
        raise PolicyError(
            f"{path}: {name}: expected dated values ('YYYY-MM-DD: {{value, source}}')"
        )
    values = []
    for key, entry in node.items():
        where = f"{path}: {name}.{key}"
        if not DATE_KEY.match(str(key)):
            raise PolicyError(f"{where}: bad date key (expected YYYY-MM-DD)")
        try:
            start = date.fromisoformat(str(key))
        except ValueError as exc:
            raise PolicyError(f"{where}: bad date key ({exc})") from exc
        if not isinstance(entry, dict):
            raise PolicyError(f"{where}: expected a mapping with 'value' and 'source'")
        unknown = set(entry) - {"value", "source"}
        if unknown:
            raise PolicyError(
                f"{where}: unknown key {sorted(unknown)[0]!r} (accepted: value, source)"
            )
        if "value" not in entry:
            raise PolicyError(f"{where}: value: required (null ends the rule)")
        if not entry.get("source"):
            raise PolicyError(f"{where}: source: required (cite the document and section)")
        try:
            value = _convert(name, entry["value"])
        except (ValueError, InvalidOperation, TypeError) as exc:
            raise PolicyError(f"{where}.value: {exc}") from exc
        values.append(Dated(start, value, str(entry["source"])))
    return Parameter(name, values)


# --- typing of values ------------------------------------------------------------------
# Scalars arrive as strings (BaseLoader); each parameter converts its own fields.


def _dec(value: Any, field: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{field}: not a decimal: {value!r}") from None
    if not result.is_finite():
        raise ValueError(f"{field}: not a finite decimal: {value!r}")
    return result


def _int(value: Any, field: str) -> int:
    if not re.fullmatch(r"-?\d+", str(value)):
        raise ValueError(f"{field}: not a whole number: {value!r}")
    return int(value)


def _bool(value: Any, field: str) -> bool:
    if str(value).lower() in ("true", "yes"):
        return True
    if str(value).lower() in ("false", "no"):
        return False
    raise ValueError(f"{field}: not true/false: {value!r}")


def _strs(value: Any, field: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError(f"{field}: expected a list")
    return tuple(str(v) for v in value)


def _keys(value: Any, accepted: set[str], required: set[str] = frozenset()) -> dict:
    if not isinstance(value, dict):
        raise ValueError("expected a mapping")
    unknown = set(value) - accepted
    if unknown:
        raise ValueError(
            f"unknown key {sorted(unknown)[0]!r} (accepted: {', '.join(sorted(accepted))})"
        )
    missing = required - set(value)
    if missing:
        raise ValueError(f"{sorted(missing)[0]}: required")
    return value


def _is_null(value: Any) -> bool:
    return value is None or value in ("null", "~", "")


TREATMENTS = {"convert", "reject", "fixed", "per_item", "college", "new_certification", "petition"}
GRADES = ("A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "D-", "F")


def _convert(name: str, raw: Any) -> Any:
    if _is_null(raw):
        return None
    top = name.split(".", 1)[0]
    if top == "programs":
        v = _keys(
            raw,
            {"name", "required", "fee", "rank", "specialty", "formerly"},
            {"name", "required", "fee", "rank", "specialty"},
        )
        return {
            "name": str(v["name"]),
            "required": _dec(v["required"], "required"),
            "fee": _dec(v["fee"], "fee"),
            "rank": _int(v["rank"], "rank"),
            "specialty": _bool(v["specialty"], "specialty"),
            "formerly": _strs(v.get("formerly", []), "formerly"),
        }
    if top == "new_certification":
        v = _keys(raw, {"credits", "rule"}, {"credits", "rule"})
        return {"credits": _dec(v["credits"], "credits"), "rule": str(v["rule"])}
    if top == "cycle":
        v = _keys(
            raw,
            {"kind", "first_cycle_years", "renewal_cycle_years", "months", "rule"},
            {"kind", "rule"},
        )
        kind = str(v["kind"])
        if kind == "calendar_years":
            return {
                "kind": kind,
                "rule": str(v["rule"]),
                "first_cycle_years": _int(v.get("first_cycle_years"), "first_cycle_years"),
                "renewal_cycle_years": _int(v.get("renewal_cycle_years"), "renewal_cycle_years"),
            }
        if kind == "months_to_month_end":
            return {"kind": kind, "rule": str(v["rule"]), "months": _int(v.get("months"), "months")}
        raise ValueError(f"kind: unknown {kind!r} (accepted: calendar_years, months_to_month_end)")
    if top == "renewal_window":
        v = _keys(raw, {"opens_months_before_end", "rule"}, {"rule"})
        months = v.get("opens_months_before_end")
        return {
            "rule": str(v["rule"]),
            "opens_months_before_end": None
            if _is_null(months)
            else _int(months, "opens_months_before_end"),
        }
    if top == "grace":
        v = _keys(
            raw,
            {"months", "late_fee", "rule", "counts_credits", "credits_rule"},
            {"months", "late_fee", "rule"},
        )
        counts = _bool(v.get("counts_credits", "false"), "counts_credits")
        if counts and not v.get("credits_rule"):
            raise ValueError("credits_rule: required when counts_credits is true")
        return {
            "months": _int(v["months"], "months"),
            "late_fee": _dec(v["late_fee"], "late_fee"),
            "rule": str(v["rule"]),
            "counts_credits": counts,
            "credits_rule": str(v.get("credits_rule", "")),
        }
    if top == "cpr_aed_required":
        v = _keys(raw, {"required", "rule"}, {"required", "rule"})
        return {"required": _bool(v["required"], "required"), "rule": str(v["rule"])}
    if top == "multi_renewal":
        v = _keys(raw, {"fee", "additional_fee", "rules"}, {"fee", "rules"})
        fee = str(v["fee"])
        if fee not in ("highest_plus_additional", "sum"):
            raise ValueError(f"fee: unknown {fee!r} (accepted: highest_plus_additional, sum)")
        return {
            "fee": fee,
            "additional_fee": _dec(v.get("additional_fee", "0"), "additional_fee"),
            "rules": _strs(v["rules"], "rules"),
        }
    if top == "conversions":
        if not isinstance(raw, list):
            raise ValueError("expected a list of conversion rows")
        rows = []
        for i, row in enumerate(raw):
            v = _keys(
                row,
                {"unit", "awarded_by", "formats", "rate", "review", "min_grade", "rule"},
                {"unit", "rule"},
            )
            grade = v.get("min_grade")
            if grade is not None and str(grade) not in GRADES:
                raise ValueError(f"[{i}].min_grade: unknown {grade!r} (accepted: A+ … F)")
            if str(v["unit"]) not in UNITS:
                raise ValueError(
                    f"[{i}].unit: unknown {v['unit']!r} (accepted: {', '.join(UNITS)})"
                )
            review = _bool(v.get("review", "false"), f"[{i}].review")
            if not review and "rate" not in v:
                raise ValueError(f"[{i}].rate: required unless review: true")
            rows.append(
                {
                    "unit": str(v["unit"]),
                    "awarded_by": _strs(v["awarded_by"], "awarded_by")
                    if "awarded_by" in v
                    else None,
                    "formats": _strs(v["formats"], "formats") if "formats" in v else None,
                    "rate": None if review else _dec(v["rate"], f"[{i}].rate"),
                    "review": review,
                    "min_grade": None if grade is None else str(grade),
                    "rule": str(v["rule"]),
                }
            )
        return tuple(rows)
    if top == "formats":
        v = _keys(
            raw,
            {
                "treatment",
                "rules",
                "credits",
                "min_grade",
                "expires_after_months",
                "approved_by_course_number",
            },
            {"treatment", "rules"},
        )
        treatment = str(v["treatment"])
        if treatment not in TREATMENTS:
            raise ValueError(
                f"treatment: unknown {treatment!r} (accepted: {', '.join(sorted(TREATMENTS))})"
            )
        result = {"treatment": treatment, "rules": _strs(v["rules"], "rules")}
        if treatment in ("fixed", "per_item"):
            result["credits"] = _dec(_need(v, "credits", treatment), "credits")
        if treatment == "per_item":
            exp = v.get("expires_after_months")
            result["expires_after_months"] = (
                None if _is_null(exp) else _int(exp, "expires_after_months")
            )
        if treatment == "college":
            grade = str(_need(v, "min_grade", treatment))
            if grade not in GRADES:
                raise ValueError(f"min_grade: unknown {grade!r} (accepted: {', '.join(GRADES)})")
            result["min_grade"] = grade
        if treatment == "petition":
            result["approved_by_course_number"] = _bool(
                v.get("approved_by_course_number", "false"), "approved_by_course_number"
            )
        return result
    if top == "caps":
        if not isinstance(raw, list):
            raise ValueError("expected a list of caps")
        caps = []
        for i, row in enumerate(raw):
            v = _keys(
                row,
                {"rule", "formats", "per", "credits", "share_of_required"},
                {"rule", "formats", "per"},
            )
            per = str(v["per"])
            if per not in ("cycle", "calendar_year"):
                raise ValueError(f"[{i}].per: unknown {per!r} (accepted: cycle, calendar_year)")
            if ("credits" in v) == ("share_of_required" in v):
                raise ValueError(f"[{i}]: give exactly one of credits, share_of_required")
            formats = _strs(v["formats"], f"[{i}].formats")
            for fmt in formats:
                if fmt not in FORMATS:
                    raise ValueError(f"[{i}].formats: unknown format {fmt!r}")
            caps.append(
                {
                    "rule": str(v["rule"]),
                    "formats": formats,
                    "per": per,
                    "credits": _dec(v["credits"], "credits") if "credits" in v else None,
                    "share_of_required": (
                        _dec(v["share_of_required"], "share_of_required")
                        if "share_of_required" in v
                        else None
                    ),
                }
            )
        return tuple(caps)
    if top == "same_course":
        v = _keys(raw, {"rule", "scope", "rules_by_format", "exempt_formats"}, {"rule", "scope"})
        scope = str(v["scope"])
        if scope not in ("cycle", "ever"):
            raise ValueError(f"scope: unknown {scope!r} (accepted: cycle, ever)")
        by_format = v.get("rules_by_format", {}) or {}
        if not isinstance(by_format, dict):
            raise ValueError("rules_by_format: expected a mapping of format to rule")
        return {
            "rule": str(v["rule"]),
            "scope": scope,
            "rules_by_format": {str(k): str(r) for k, r in by_format.items()},
            "exempt_formats": _strs(v.get("exempt_formats", []), "exempt_formats"),
        }
    if top in ("before_certification", "outside_cycle"):
        v = _keys(raw, {"outcome", "rules"}, {"outcome", "rules"})
        outcome = str(v["outcome"])
        if outcome not in ("rejected", "outside_cycle"):
            raise ValueError(f"outcome: unknown {outcome!r} (accepted: rejected, outside_cycle)")
        return {"outcome": outcome, "rules": _strs(v["rules"], "rules")}
    if top == "course_numbers":
        v = _keys(raw, {"pattern", "rule", "example", "format"}, {"pattern", "rule"})
        try:
            re.compile(str(v["pattern"]))
        except re.error as exc:
            raise ValueError(f"pattern: not a regular expression: {exc}") from None
        return {
            "pattern": str(v["pattern"]),
            "rule": str(v["rule"]),
            "example": str(v.get("example", "")),
            "format": str(v.get("format", "")),
        }
    if top == "documents":
        v = _keys(
            raw,
            {"required_for", "retention_years", "retention_from", "rules"},
            {"required_for", "retention_years", "retention_from", "rules"},
        )
        return {
            "required_for": _strs(v["required_for"], "required_for"),
            "retention_years": _int(v["retention_years"], "retention_years"),
            "retention_from": str(v["retention_from"]),
            "rules": _strs(v["rules"], "rules"),
        }
    if top == "audit":
        v = _keys(
            raw,
            {"rate", "response_days", "inactive_months", "replacement_days", "rule"},
            {"rate", "response_days", "inactive_months", "replacement_days", "rule"},
        )
        return {
            "rate": _dec(v["rate"], "rate"),
            "response_days": _int(v["response_days"], "response_days"),
            "inactive_months": _int(v["inactive_months"], "inactive_months"),
            "replacement_days": _int(v["replacement_days"], "replacement_days"),
            "rule": str(v["rule"]),
        }
    raise ValueError(f"no typing for parameter {name}")  # pragma: no cover - SCHEMA guards


def _need(v: dict, key: str, treatment: str) -> Any:
    if key not in v:
        raise ValueError(f"{key}: required for treatment {treatment}")
    return v[key]


def _check_body(body: BodyPolicy) -> None:
    where = f"{body.folder}"
    for name in REQUIRED:
        if name in ("programs", "formats"):
            if not any(p.startswith(name + ".") for p in body.parameters):
                raise PolicyError(f"{where}: {name}: required")
        elif name not in body.parameters:
            raise PolicyError(f"{where}: {name}: required")
    missing = [f for f in FORMATS if f"formats.{f}" not in body.parameters]
    if missing:
        raise PolicyError(
            f"{where}: formats.{missing[0]}: required (every format needs a treatment)"
        )
    codes = set(body.program_codes)
    for key in body.parameters:
        if key.startswith("new_certification."):
            program = key.split(".", 1)[1]
            if program not in codes:
                raise PolicyError(
                    f"{where}: {key}: unknown program (accepted: {', '.join(sorted(codes))})"
                )
