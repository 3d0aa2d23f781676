"""The policy loader refuses malformed files, naming the file and the key."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from recert.rules import PolicyError, load_policies
from recert.rules.policy import SHIPPED, Dated, Parameter

MADEUP = Path(__file__).parent / "madeup" / "FITB"


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "FITB"
    shutil.copytree(MADEUP, folder)
    return folder


def _edit(folder: Path, old: str, new: str) -> None:
    path = folder / "policy.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_the_value_in_force_is_the_latest_start_on_or_before_the_day() -> None:
    p = Parameter("x", [Dated(date(2025, 2, 1), 2, "s"), Dated(date(2000, 1, 1), 1, "s")])
    assert p.at(date(1999, 12, 31)) is None
    assert p.at(date(2025, 1, 31)) == 1
    assert p.at(date(2025, 2, 1)) == 2


def test_a_null_value_ends_a_rule(tmp_path) -> None:
    folder = _copy(tmp_path)
    _edit(folder, "caps:\n", "caps:\n  2024-01-01: {value: null, source: 'cap withdrawn'}\n")
    body = load_policies(folder).bodies["FITB"]
    assert body.param("caps", date(2023, 1, 1))
    assert body.param("caps", date(2024, 1, 1), default=()) == ()


@pytest.mark.parametrize(
    "old,new,message",
    [
        (
            "2020-01-01: {value: {kind: months",
            "2020-13-01: {value: {kind: months",
            "cycle.2020-13-01: bad date key",
        ),
        (
            "2020-01-01: {value: {kind: months",
            "01/01/2020: {value: {kind: months",
            "cycle.01/01/2020: bad date key (expected YYYY-MM-DD)",
        ),
        (
            '{value: {required: "false", rule: FITB-CPR}, source: test}',
            '{value: {required: "false", rule: FITB-CPR}}',
            "cpr_aed_required.2020-01-01: source: required",
        ),
        ("same_course:", "same_courses:", "same_courses: unknown parameter"),
        ('late_fee: "10.00"', 'late_fee: "ten"', "grace.2020-01-01.value: late_fee: not a decimal"),
        (
            '{unit: hour, rate: "2"',
            '{unit: hours, rate: "2"',
            "conversions.2020-01-01.value: [0].unit: unknown 'hours'",
        ),
        (
            "per: cycle, credits",
            "per: week, credits",
            "[0].per: unknown 'week' (accepted: cycle, calendar_year)",
        ),
        (
            "{value: {rule: FITB-SAME, scope: cycle}, source: test}",
            "{value: {rule: FITB-SAME, scope: cycle}, source: test, note: x}",
            "unknown key 'note'",
        ),
        (
            'late_fee: "10.00", rule: FITB-GRACE}',
            'late_fee: "10.00", rule: FITB-GRACE, counts_credits: "true"}',
            "grace.2020-01-01.value: credits_rule: required when counts_credits is true",
        ),
        (
            'late_fee: "10.00", rule: FITB-GRACE}',
            'late_fee: "10.00", rule: FITB-GRACE, counts_credits: "maybe"}',
            "grace.2020-01-01.value: counts_credits: not true/false: 'maybe'",
        ),
        (
            'rank: "1", specialty: "false"}, source: test}\n    2026',
            'rank: "first", specialty: "false"}, source: test}\n    2026',
            "programs.COACH.2020-01-01.value: rank: not a whole number: 'first'",
        ),
        (
            "{value: {rule: FITB-SAME, scope: cycle}, source: test}",
            "{value: {rule: FITB-SAME, scope: cycle, exempt_formats: [dance]}, source: test}",
            "same_course.2020-01-01.value: exempt_formats: unknown 'dance' (accepted: course,",
        ),
        (
            "credits: \"3\"}]",
            "credits: \"3\", share_of_required: \"0.5\"}]",
            "caps.2020-01-01.value: [0].credits: give exactly one of credits, share_of_required",
        ),
        (
            "{value: {outcome: rejected, rules: [FITB-DATE]}",
            "{value: {outcome: rejected, rules: [FITB-DATE], extra: x}",
            "before_certification.2020-01-01.value: unknown key 'extra' (accepted: outcome, rules)",
        ),
        (
            "{value: {kind: months_to_month_end, months: \"12\", rule: FITB-CYCLE}",
            "{value: {kind: months_to_month_end, rule: FITB-CYCLE}",
            "cycle.2020-01-01.value: months: required for kind months_to_month_end",
        ),
    ],
)
def test_malformed_policies_are_refused_with_file_and_key(tmp_path, old, new, message) -> None:
    folder = _copy(tmp_path)
    _edit(folder, old, new)
    with pytest.raises(PolicyError) as error:
        load_policies(folder)
    assert message in str(error.value)
    assert "policy.yaml" in str(error.value)


def test_a_format_treatment_is_checked_in_its_file(tmp_path) -> None:
    folder = _copy(tmp_path)
    path = folder / "formats.yaml"
    text = path.read_text().replace("treatment: reject", "treatment: skip")
    path.write_text(text)
    with pytest.raises(PolicyError) as error:
        load_policies(folder)
    assert "formats.yaml: formats.workout.2020-01-01.value: treatment: unknown 'skip' " in str(
        error.value
    )
    assert "(accepted: convert, reject, fixed, per_item, college" in str(error.value)


def test_values_are_typed_objects_read_by_attribute(tmp_path) -> None:
    body = load_policies(MADEUP).bodies["FITB"]
    grace = body.param("grace", date(2025, 1, 1))
    assert (grace.months, grace.late_fee, grace.counts_credits) == (1, Decimal("10.00"), False)
    assert body.program("COACH", date(2026, 1, 1)).required == Decimal("16")
    assert body.param("multi_renewal", date(2025, 1, 1)).bills_together is True


def test_a_body_must_give_every_format_a_treatment(tmp_path) -> None:
    folder = _copy(tmp_path)
    text = (folder / "formats.yaml").read_text().replace("  workout:\n", "  gone:\n")
    (folder / "formats.yaml").write_text(text)
    with pytest.raises(PolicyError, match=r"formats.gone: unknown name"):
        load_policies(folder)


def test_the_shipped_policies_load_and_cite_a_source_for_every_value() -> None:
    policies = load_policies(SHIPPED)
    assert set(policies.bodies) == {"ACSM", "ACE"}
    for body in policies.bodies.values():
        for parameter in body.parameters.values():
            assert all(d.source.strip() for d in parameter.values), parameter.name
    assert policies.awarding_organizations == ("ACSM", "ACE", "NSCA", "NASM", "AFAA", "OTHER")


def test_rule_texts_must_be_plain_words(tmp_path) -> None:
    folder = _copy(tmp_path)
    (folder / "rules.yaml").write_text("rules:\n  FITB-OK: counted by the hour\n")
    assert load_policies(folder).rule_text("FITB-OK") == "counted by the hour"
    (folder / "rules.yaml").write_text("rules:\n  FITB-OK: ''\n")
    with pytest.raises(PolicyError, match=r"rules.yaml: rules.FITB-OK: expected the rule"):
        load_policies(folder)
