"""Dated policy parameters, loaded from one folder of YAML files per certifying body.

A parameter is a mapping of effective dates to ``{value, source}``; the value in force
on a day is the one with the latest start on or before that day, and a ``null`` value
ends the rule. Parameters nest (``formats.teaching``); a node is either a dated leaf
(every key a date) or a mapping of named children. Each value is built into its typed
class (parameters.py) when the file is loaded, so a malformed value is refused at once,
naming the file, the parameter, the date and the key.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .model import FORMATS
from .parameters import GRADES, PARAMETERS, FormatRule, Program, build, is_null

__all__ = ["GRADES", "BodyPolicy", "DatedValue", "Parameter", "Policies", "PolicyError",
           "kind_of", "load_policies"]

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
    """A program as it stands in its latest dated value (names for display)."""

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


# The parameters a body's policy may define and their kinds: parameters.PARAMETERS.
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
        """The typed value of `name` in force on `on` (parameters.PARAMETERS says which
        class); `default` when there is none, else KeyError."""
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
                result[code] = ProgramPolicy(code, latest.name, latest.specialty)
        return result

    def program(self, code: str, on: date) -> Program:
        return self.param(f"programs.{code}", on)

    def format_rule(self, fmt: str, on: date) -> FormatRule:
        return self.param(f"formats.{fmt}", on)

    def resolve_program(self, code: str) -> str | None:
        """A program code, or a former name of one (HFS → EP), to the current code."""
        if f"programs.{code}" in self.parameters:
            return code
        for current in self.program_codes:
            for dated in self.parameters[f"programs.{current}"].values:
                if dated.value and code in dated.value.formerly:
                    return current
        return None


@dataclass(frozen=True)
class DatedValue:
    """A dated value kept outside the policy files (the staff console's, in the database),
    in the files' form: `value` as a file would write it (parameters.raw), `source` cited."""

    body: str
    parameter: str
    start: date
    value: Any
    source: str


def kind_of(parameter: str) -> Any:
    """The kind (parameters.PARAMETERS) of a parameter name such as `programs.CPT`."""
    kind = PARAMETERS.get(parameter.split(".", 1)[0])
    if isinstance(kind, tuple):
        return kind[0] if "." in parameter else None
    return kind if "." not in parameter else None


class Policies:
    """All loaded bodies plus the awarding organizations their conversion tables know."""

    def __init__(self, bodies: dict[str, BodyPolicy], organizations: dict[str, str],
                 listed_providers: dict[str, str] | None = None):
        self.bodies = bodies
        self.organizations = organizations
        # Providers a report form lists beside the organizations: {name: awarding code}.
        self.listed_providers = listed_providers or {}
        # A digest of the policy files loaded (set by the loader): caches of evaluations
        # key on it, so that changed policies never serve a result of the old ones.
        self.fingerprint = ""

    def rule_text(self, rule_id: str) -> str | None:
        """The plain words a body's policy gives for one of its rule ids."""
        for body in self.bodies.values():
            if rule_id in body.rule_texts:
                return body.rule_texts[rule_id]
        return None

    def with_values(self, extra: list[DatedValue] | tuple[DatedValue, ...]) -> Policies:
        """These policies plus dated values kept elsewhere, read like the files' own: each
        joins its parameter's history (the latest start on or before a day wins; on the same
        start, the one given later wins). Nothing is overwritten; `self` is unchanged."""
        if not extra:
            return self
        added: dict[str, dict[str, list[Dated]]] = {}
        for entry in extra:
            where = f"{entry.body}: {entry.parameter}.{entry.start.isoformat()}"
            body = self.bodies.get(entry.body)
            if body is None:
                raise PolicyError(f"{where}: unknown body")
            kind = kind_of(entry.parameter)
            if kind is None or entry.parameter not in body.parameters:
                raise PolicyError(f"{where}: unknown parameter")
            if not entry.source:
                raise PolicyError(f"{where}: source: required (cite the document and section)")
            first = body.parameters[entry.parameter].values[0].start
            if entry.start < first:
                raise PolicyError(f"{where}: before the policy (its first value starts on "
                                  f"{first.isoformat()})")
            try:
                value = None if is_null(entry.value) else build(kind, entry.value)
            except ValueError as exc:
                raise PolicyError(f"{where}.value: {exc}") from exc
            added.setdefault(entry.body, {}).setdefault(entry.parameter, []).append(
                Dated(entry.start, value, entry.source))
        bodies = dict(self.bodies)
        for code, by_name in added.items():
            old = bodies[code]
            parameters = dict(old.parameters)
            for name, values in by_name.items():
                parameters[name] = Parameter(name, [*parameters[name].values, *values])
            bodies[code] = BodyPolicy(old.code, old.name, parameters, old.folder,
                                      old.rule_texts)
        return Policies(bodies, self.organizations, self.listed_providers)

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
    listed: dict[str, str] = {}
    for root in roots:
        body_dirs = (
            [root]
            if (root / "body.yaml").exists()
            else sorted(p for p in root.iterdir() if p.is_dir() and (p / "body.yaml").exists())
        )
        orgs_file = root / "organizations.yaml"
        if orgs_file.exists():
            names, providers = _load_organizations(orgs_file)
            organizations.update(names)
            listed.update(providers)
        for folder in body_dirs:
            body = _load_body(folder)
            if body.code in bodies:
                raise PolicyError(f"{folder}: body {body.code} is defined twice")
            bodies[body.code] = body
    if not bodies:
        raise PolicyError(f"no policy folders found in {', '.join(map(str, roots))}")
    unknown = sorted(name for name, code in listed.items()
                     if code not in organizations and code not in bodies)
    if unknown:
        raise PolicyError(f"listed_providers: {', '.join(unknown)} name no known awarding "
                          "organization")
    policies = Policies(bodies, organizations, listed)
    policies.fingerprint = _fingerprint(roots)
    return policies


def _fingerprint(roots: tuple[Path, ...]) -> str:
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(root.rglob("*.yaml")):
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _read_yaml(path: Path) -> Any:
    try:
        # BaseLoader keeps every scalar a string: dates and decimals are parsed by us,
        # so "0.1" never becomes a float and "2025-02-01" is checked as a date key.
        return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML: {exc}") from exc


def _load_organizations(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """({code: name}, {listed provider name: awarding code})."""
    data = _read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("organizations"), dict):
        raise PolicyError(f"{path}: expected a mapping 'organizations: {{CODE: name}}'")
    listed = data.get("listed_providers") or {}
    if not isinstance(listed, dict):
        raise PolicyError(f"{path}: expected a mapping 'listed_providers: {{name: CODE}}'")
    return ({str(k): str(v) for k, v in data["organizations"].items()},
            {str(k): str(v) for k, v in listed.items()})


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
            if name not in PARAMETERS:
                raise PolicyError(
                    f"{path}: {name}: unknown parameter (accepted: {', '.join(PARAMETERS)})"
                )
            if any(p == name or p.startswith(name + ".") for p in parameters):
                raise PolicyError(f"{path}: {name}: defined in more than one file")
            kind = PARAMETERS[name]
            if not isinstance(kind, tuple):
                parameters[name] = _parameter(path, name, node, kind)
                continue
            kind, children = kind
            if not isinstance(node, dict):
                raise PolicyError(f"{path}: {name}: expected a mapping of names")
            for child, child_node in node.items():
                if children is not None and child not in children:
                    raise PolicyError(
                        f"{path}: {name}.{child}: unknown name (accepted: {', '.join(children)})"
                    )
                parameters[f"{name}.{child}"] = _parameter(
                    path, f"{name}.{child}", child_node, kind
                )

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


def _parameter(path: Path, name: str, node: Any, kind: Any) -> Parameter:
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
            value = None if is_null(entry["value"]) else build(kind, entry["value"])
        except ValueError as exc:
            raise PolicyError(f"{where}.value: {exc}") from exc
        values.append(Dated(start, value, str(entry["source"])))
    return Parameter(name, values)


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
