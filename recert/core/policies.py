"""Policy data that is not about one person's evaluation, for the layers above core.

Where a person stands (fees, renewal groups, CPR/AED, dates, expiries) comes from the
engine's results (`recert.core.evaluation`). What a form or page needs beyond that — the
organization list, a body's course-number format, rule texts, what a format asks for on a
date, the next cycle's dates — is read here, so that `front`, `renewals` and `exports` never
import the policies themselves (tests/test_architecture.py checks it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from recert.rules import load_policies
from recert.rules.cycles import next_cycle
from recert.rules.model import Cycle


@dataclass(frozen=True)
class Organizations:
    """The report form's Provider/Organization list (organizations.yaml)."""

    # (code, name) of every awarding organization (certifying bodies included), no OTHER.
    named: tuple[tuple[str, str], ...]
    # {listed provider's name: the awarding organization its certificates count as}.
    listed: dict[str, str]


def organizations() -> Organizations:
    policies = load_policies()
    named = [(code, name) for code, name in policies.organizations.items() if code != "OTHER"]
    named += [(code, body.name) for code, body in policies.bodies.items()
              if code not in policies.organizations]
    return Organizations(tuple(named), dict(policies.listed_providers))


def rule_text(rule_id: str) -> str | None:
    """The plain words a body's policy gives for one of its rule ids (rules.yaml)."""
    return load_policies().rule_text(rule_id)


def course_numbers(on: date) -> dict[str, object]:
    """{body code: its course-number rule (pattern, format, example, matches())} of the
    bodies that approve courses by number (the `course_numbers` parameter) on that day."""
    found = {}
    for code, body in load_policies().bodies.items():
        numbers = body.param("course_numbers", on, default=None)
        if numbers is not None:
            found[code] = numbers
    return found


def format_values(body_codes, fmt: str, key: str, on: date) -> dict:
    """`key` of each body's rule for format `fmt` on that day: {value: [body codes]}; bodies
    whose rule has no such value are left out (the grade a college course needs, the months
    a self-test lasts)."""
    bodies = load_policies().bodies
    found: dict = {}
    for code in body_codes:
        body = bodies.get(code)
        rule = body.param(f"formats.{fmt}", on, default=None) if body else None
        if getattr(rule, key, None) is not None:
            found.setdefault(getattr(rule, key), []).append(code)
    return found


def documents_required_by(body_codes, fmt: str, on: date) -> list[str]:
    """Rule ids of the bodies whose policy wants a document for this format on that day."""
    bodies = load_policies().bodies
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
    body = load_policies().bodies[body_code]
    following = next_cycle(body, certified_on, Cycle(start, end))
    while reaching is not None and following.end < reaching:
        following = next_cycle(body, certified_on, following)
    return following
