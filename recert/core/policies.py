"""Policy data that is not about one person's evaluation, for the layers above core.

Where a person stands (fees, renewal groups, CPR/AED, dates, expiries) comes from the
engine's results (`recert.core.evaluation`). What a form or page needs beyond that — the
organization list, a body's course-number format, rule texts, what a format asks for on a
date, the next cycle's dates — is read here, so that `front`, `renewals` and `exports` never
import the policies themselves (tests/test_architecture.py checks it).

The policies in force are the shipped files plus the dated values a body's staff recorded
(core.PolicyValue), handed to the rules layer as extra dated entries: `current_policies()`
is what every evaluation reads.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache

from recert.rules import Policies
from recert.rules import load_policies as shipped_policies
from recert.rules.cycles import next_cycle
from recert.rules.model import Cycle
from recert.rules.parameters import build
from recert.rules.policy import DatedValue, kind_of

# Bumped by every new policy value; each process compares it with the one its loaded
# policies were built at (Redis when REDIS_URL is set: every server sees a change at once).
VERSION_KEY = "recert:policy-values:version"
# A per-process memory cache is not shared by the server processes: there, each reloads
# the recorded values at least this often (docs/decisions.md, "Dated policy values").
LOCAL_RELOAD_SECONDS = 60


class _Loaded:
    version: object = None
    at: float = 0.0
    policies: Policies | None = None
    # The shipped files' digest and the recorded values': cached evaluations key on it.
    fingerprint: str = ""


_loaded = _Loaded()


def _shared_cache() -> bool:
    return "locmem" not in settings.CACHES["default"]["BACKEND"].lower()


def current_policies() -> Policies:
    """The shipped policies with the recorded dated values joined in (one query when they
    changed since this process last read them, none otherwise)."""
    version = cache.get(VERSION_KEY)
    stale = (_loaded.policies is None or _loaded.version != version
             or (not _shared_cache() and time.monotonic() - _loaded.at > LOCAL_RELOAD_SECONDS))
    if stale:
        from recert.core.models import PolicyValue

        rows = list(PolicyValue.objects.select_related("body").order_by("recorded_at", "id"))
        _loaded.policies = shipped_policies().with_values([
            DatedValue(r.body.code, r.parameter, r.starts_on, r.value, r.source) for r in rows])
        digest = hashlib.sha256(shipped_policies().fingerprint.encode())
        for r in rows:
            digest.update(repr((r.pk, r.body.code, r.parameter, r.starts_on, r.value)).encode())
        _loaded.fingerprint = digest.hexdigest()[:16]
        _loaded.version = version
        _loaded.at = time.monotonic()
    return _loaded.policies


def current_fingerprint() -> str:
    """A digest of the policies in force (the shipped files and the recorded values): it
    changes whenever `current_policies()` would evaluate differently."""
    current_policies()
    return _loaded.fingerprint


def policy_values_changed() -> None:
    """Every process reloads the recorded values at its next evaluation (called by the
    action that records one, and by tests that start from an empty table)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)
    _loaded.policies = None


def forget_loaded(*, table_empty: bool = False) -> None:
    """Tests: drop this process's loaded values; `table_empty`: the table is known to be
    empty (a fresh test database), so the shipped policies are current without a query."""
    _loaded.policies = shipped_policies() if table_empty else None
    _loaded.fingerprint = shipped_policies().fingerprint if table_empty else ""
    _loaded.version = cache.get(VERSION_KEY)
    # Tests travel in time (time-machine moves the monotonic clock too): within a test
    # only a recorded value (the version) reloads, never the age, so query counts hold.
    _loaded.at = math.inf


# --- the values a body's staff may set (issue 12) -----------------------------------------


@dataclass(frozen=True)
class Editable:
    """One field of a parameter that the policy role may give a new dated value."""

    parameter: str  # "programs.*" for each program of the body
    field: str
    label: str
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    above_minimum: bool = False  # the value must be greater than `minimum`


EDITABLE = (
    Editable("programs.*", "fee", "Recertification fee ($)", minimum=Decimal(0)),
    Editable("programs.*", "required", "Required credits", minimum=Decimal(0),
             above_minimum=True),
    Editable("grace", "late_fee", "Late fee ($)", minimum=Decimal(0)),
    Editable("grace", "months", "Grace period (months)", minimum=Decimal(0),
             maximum=Decimal(24)),
    Editable("multi_renewal", "additional_fee", "Additional certification fee ($)",
             minimum=Decimal(0)),
    Editable("cpr_aed_required", "required", "CPR/AED card required to renew"),
    Editable("audit", "rate", "Audit rate (share of renewals, 0 to 1)", minimum=Decimal(0),
             maximum=Decimal(1)),
    Editable("audit", "response_days", "Days to answer an audit", minimum=Decimal(1),
             maximum=Decimal(365)),
)


@dataclass(frozen=True)
class EditableValue:
    """An editable field of one body's parameter: `key` is "<parameter>.<field>"."""

    key: str
    parameter: str
    field: str
    label: str
    rule: Editable


def editable_values(body_code: str) -> list[EditableValue]:
    """The fields the body's policy role may set, in the order of EDITABLE."""
    body = shipped_policies().bodies.get(body_code)
    if body is None:
        return []
    found = []
    for rule in EDITABLE:
        if rule.parameter == "programs.*":
            names = [f"programs.{code}" for code in body.program_codes]
        else:
            names = [rule.parameter] if rule.parameter in body.parameters else []
        for name in names:
            label = rule.label
            if name.startswith("programs."):
                program = body.programs.get(name.split(".", 1)[1])
                label = f"{program.name if program else name}: {rule.label}"
            found.append(EditableValue(f"{name}.{rule.field}", name, rule.field, label, rule))
    return found


def editable_value(body_code: str, key: str) -> EditableValue | None:
    return next((e for e in editable_values(body_code) if e.key == key), None)


@dataclass(frozen=True)
class Organizations:
    """The report form's Provider/Organization list (organizations.yaml)."""

    # (code, name) of every awarding organization (certifying bodies included), no OTHER.
    named: tuple[tuple[str, str], ...]
    # {listed provider's name: the awarding organization its certificates count as}.
    listed: dict[str, str]


def organizations() -> Organizations:
    policies = current_policies()
    named = [(code, name) for code, name in policies.organizations.items() if code != "OTHER"]
    named += [(code, body.name) for code, body in policies.bodies.items()
              if code not in policies.organizations]
    return Organizations(tuple(named), dict(policies.listed_providers))


def rule_text(rule_id: str) -> str | None:
    """The plain words a body's policy gives for one of its rule ids (rules.yaml)."""
    return current_policies().rule_text(rule_id)


def course_numbers(on: date) -> dict[str, object]:
    """{body code: its course-number rule (pattern, format, example, matches())} of the
    bodies that approve courses by number (the `course_numbers` parameter) on that day."""
    found = {}
    for code, body in current_policies().bodies.items():
        numbers = body.param("course_numbers", on, default=None)
        if numbers is not None:
            found[code] = numbers
    return found


def format_values(body_codes, fmt: str, key: str, on: date) -> dict:
    """`key` of each body's rule for format `fmt` on that day: {value: [body codes]}; bodies
    whose rule has no such value are left out (the grade a college course needs, the months
    a self-test lasts)."""
    bodies = current_policies().bodies
    found: dict = {}
    for code in body_codes:
        body = bodies.get(code)
        rule = body.param(f"formats.{fmt}", on, default=None) if body else None
        if getattr(rule, key, None) is not None:
            found.setdefault(getattr(rule, key), []).append(code)
    return found


def documents_required_by(body_codes, fmt: str, on: date) -> list[str]:
    """Rule ids of the bodies whose policy wants a document for this format on that day."""
    bodies = current_policies().bodies
    rules = []
    for code in body_codes:
        body = bodies.get(code)
        policy = body.param("documents", on, default=None) if body else None
        if policy and fmt in policy.required_for:
            rules.extend(policy.rules or [code])
    return rules


def following_cycle(body_code: str, certified_on: date, start: date, end: date,
                    reaching: date | None = None) -> Cycle:
    """The cycle after (start, end) on the certification's original schedule; with
    `reaching`, the first one that ends on or after that day."""
    body = current_policies().bodies[body_code]
    following = next_cycle(body, certified_on, Cycle(start, end))
    while reaching is not None and following.end < reaching:
        following = next_cycle(body, certified_on, following)
    return following


@dataclass(frozen=True)
class HistoryEntry:
    """One dated value of a parameter as the history page shows it."""

    start: date
    value: object  # the field's value (None: the rule ended)
    source: str
    recorded: object = None  # the PolicyValue, or None for a shipped file's entry
    in_force: bool = False  # the value in force on the day asked about
    replaced: bool = False  # a later entry with the same start wins over it


def parameter_history(body_code: str, editable: EditableValue, on: date) -> list[HistoryEntry]:
    """Every dated value of the field, shipped and recorded, oldest start first, in the
    order the engine reads them (on the same start, the later recorded wins)."""
    from recert.core.models import PolicyValue

    shipped = shipped_policies().bodies[body_code].parameters[editable.parameter].values
    entries: list[tuple[date, object, str, object]] = [
        (d.start, d.value, d.source, None) for d in shipped]
    kind = kind_of(editable.parameter)
    for row in PolicyValue.objects.filter(body__code=body_code, parameter=editable.parameter
                                          ).select_related("recorded_by"):
        entries.append((row.starts_on, build(kind, row.value), row.source, row))
    entries.sort(key=lambda e: e[0])  # stable: shipped first, then recorded in order
    in_force = None
    for i, entry in enumerate(entries):
        if entry[0] <= on:
            in_force = i
    result = []
    for i, (start, value, source, row) in enumerate(entries):
        replaced = i + 1 < len(entries) and entries[i + 1][0] == start
        result.append(HistoryEntry(start, None if value is None else getattr(value, editable.field),
                                   source, row, in_force == i, replaced))
    return result


def petition_bodies(body_codes, fmt: str, on: date) -> list[str]:
    """The bodies (of `body_codes`) whose policy counts format `fmt` on that day only
    through an approved petition when no approved course number carries it."""
    bodies = current_policies().bodies
    found = []
    for code in body_codes:
        body = bodies.get(code)
        if body is None:
            continue
        try:
            rule = body.format_rule(fmt, on)
        except (KeyError, LookupError):
            continue
        if getattr(rule, "treatment", None) == "petition":
            found.append(code)
    return found
