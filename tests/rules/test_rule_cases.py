"""Every YAML rule case beside the policies, evaluated exactly as `recert evaluate` would."""

from __future__ import annotations

from pathlib import Path

import pytest

from recert.rules import evaluate, evaluation_json, load_policies, parse_case
from recert.rules.case import parse_date

from .casefiles import load_cases, normalize, rules_in

CASES = load_cases()
SPEC = Path(__file__).resolve().parents[2] / "docs" / "spec" / "RULES.md"


def _check(actual: dict, expected: dict, where: str) -> None:
    for key, want in expected.items():
        assert key in actual, f"{where}: no field {key!r} in the output"
        got = actual[key]
        if key == "credits" and isinstance(want, dict):
            by_id = {c["id"]: c for c in got}
            for credit_id, credit_want in want.items():
                credit = by_id[credit_id]
                for field, value in credit_want.items():
                    if field == "rules":
                        missing = set(value) - set(credit["rules"])
                        assert not missing, (
                            f"{where}.{credit_id}: rules {credit['rules']} lack {missing}"
                        )
                    else:
                        assert normalize(credit[field]) == normalize(value), (
                            f"{where}.{credit_id}.{field}: got {credit[field]!r}, want {value!r}"
                        )
        elif isinstance(want, dict):
            _check(got, want, f"{where}.{key}")
        else:
            assert normalize(got) == normalize(want), f"{where}.{key}: got {got!r}, want {want!r}"


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[i for i, _ in CASES])
def test_rule_case(case: dict) -> None:
    policies = load_policies()
    if "policy" in case:
        spec = case["policy"]
        value = policies.bodies[spec["body"]].param(spec["parameter"], parse_date(spec["as_of"]))
        for key, want in case["expect"].items():
            assert normalize(getattr(value, key)) == normalize(want), f"{spec['parameter']}.{key}"
        return
    parsed = parse_case(case, policies)
    output = evaluation_json(
        evaluate(policies, parsed.certifications, parsed.credits, parsed.as_of)
    )
    by_id = {c["id"]: c for c in output["certifications"]}
    for key, want in case["expect"].items():
        if key == "renewals":
            assert normalize(output["renewals"]) == normalize(want)
        else:
            _check(by_id[key], want, key)


def test_every_rule_in_the_catalogue_has_a_case() -> None:
    cited = {rule for _, case in CASES for rule in case["rules"]}
    app_level = {
        # Enforced by the web form rather than the evaluation: see tests/test_credits*.py.
        "ACSM-FORM-1",
    }
    missing = rules_in(SPEC) - cited - app_level
    assert not missing, f"rules with no case: {sorted(missing)}"
    unknown = cited - rules_in(SPEC)
    assert not unknown, f"cases cite rules that RULES.md does not define: {sorted(unknown)}"


def test_every_effective_date_has_a_case_on_each_side() -> None:
    """A dated change must be pinned from both sides (OpenFisca's habit)."""
    policies = load_policies()
    as_dates = []
    for _, case in CASES:
        for credit in case.get("credits", []):
            as_dates.append(parse_date(credit["earned_on"]))
    for body in policies.bodies.values():
        for parameter in body.parameters.values():
            for change in parameter.change_dates[1:]:
                assert any(d < change for d in as_dates) and any(d >= change for d in as_dates), (
                    f"{body.code} {parameter.name} changes on {change}: no case on both sides"
                )
                assert any(d.toordinal() == change.toordinal() - 1 for d in as_dates) or any(
                    d == change for d in as_dates
                ), f"{parameter.name} {change}: no case at the edge"


def test_every_rule_has_plain_words_in_its_policy() -> None:
    """Pages explain outcomes with these words; they live beside the values, not in code."""
    policies = load_policies()
    catalogue = rules_in(SPEC)
    worded = {rule for body in policies.bodies.values() for rule in body.rule_texts}
    assert catalogue - worded == set(), "rules without plain words"
    assert worded - catalogue == set(), "words for rules RULES.md does not define"
