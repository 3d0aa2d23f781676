"""`recert evaluate` honours EVALUATE.md to the letter: JSON out, or exit 2 with one line
per problem on stderr and nothing on stdout."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from recert.rules.cli import main

GOOD = {
    "as_of": "2026-06-01",
    "certifications": [
        {
            "id": "cpt",
            "body": "ACSM",
            "program": "CPT",
            "certified_on": "2023-05-10",
            "cycle_start": None,
            "cycle_end": None,
            "cpr_aed_valid_until": "2027-03-31",
        },
    ],
    "credits": [
        {
            "id": "c1",
            "earned_on": "2024-03-03",
            "title": "Strength Summit",
            "format": "conference",
            "amount": "1.5",
            "unit": "ceu",
            "awarded_by": "NASM",
            "provider": "NASM",
            "course_number": None,
            "grade": None,
            "published_on": None,
            "petition": None,
        },
    ],
}


@pytest.fixture
def evaluate_json(tmp_path, capsys):
    def _run(case, *args):
        path = tmp_path / "case.json"
        path.write_text(case if isinstance(case, str) else json.dumps(case))
        code = main([str(path), *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


def test_the_documented_example(evaluate_json) -> None:
    code, out, err = evaluate_json(GOOD)
    assert (code, err) == (0, "")
    result = json.loads(out)
    cpt = result["certifications"][0]
    assert result["as_of"] == "2026-06-01"
    assert cpt["cycle"] == {"start": "2023-05-10", "end": "2026-12-31"}
    assert cpt["credits"] == [
        {
            "id": "c1",
            "outcome": "accepted",
            "converted": "15",
            "counted": "15",
            "rules": ["ACSM-CONV-DECIMAL"],
        }
    ]
    assert (cpt["required"], cpt["earned"], cpt["remaining"]) == ("45", "15", "30")
    # EVALUATE.md's keys, exactly as documented; the added keys come after them.
    spec_keys = ("can_renew", "blockers", "fee", "late_fee")
    assert {k: cpt["renewal"][k] for k in spec_keys} == {
        "can_renew": False,
        "blockers": ["short_of_required"],
        "fee": "45.00",
        "late_fee": "0.00",
    }
    assert list(cpt["renewal"])[:4] == list(spec_keys)
    (group,) = result["renewals"]
    assert {k: group[k] for k in ("body", "certifications", "required", "fee")} == {
        "body": "ACSM", "certifications": ["cpt"], "required": "45", "fee": "45.00"
    }


def test_the_output_carries_what_pages_need(evaluate_json) -> None:
    """Fee lines, CPR/AED requirement, window and grace dates (docs/rules-engine.md), with
    --detail; without it the output is EVALUATE.md's shape, key for key."""
    code, out, _ = evaluate_json(GOOD)
    plain = json.loads(out)
    assert set(plain["certifications"][0]["renewal"]) == {"can_renew", "blockers", "fee",
                                                          "late_fee"}
    assert set(plain["renewals"][0]) == {"body", "certifications", "required", "fee"}
    code, out, _ = evaluate_json(GOOD, "--detail")
    cpt = json.loads(out)["certifications"][0]
    assert cpt["renewal"]["cpr_aed_required"] is True  # ACSM-REQ-CPR
    assert cpt["renewal"]["window_opens"] == "2026-01-01"  # ACSM-WINDOW-1
    assert cpt["renewal"]["grace_ends"] == "2027-06-30"  # ACSM-GRACE-1
    assert cpt["renewal"]["fee_lines"] == [
        {"kind": "fee", "amount": "45.00", "certification": "cpt", "program": "CPT", "rule": ""}
    ]
    (group,) = json.loads(out)["renewals"]
    assert group["bills_together"] is True  # ACSM-MULTI-FEE
    assert (group["late_fee"], group["cycle_end"]) == ("0.00", "2026-12-31")
    assert group["fee_lines"] == cpt["renewal"]["fee_lines"]


def test_as_of_flag_wins_over_the_case(evaluate_json) -> None:
    code, out, _ = evaluate_json(GOOD, "--as-of", "2027-02-01")
    assert code == 0
    result = json.loads(out)
    assert result["as_of"] == "2027-02-01"
    assert result["certifications"][0]["cycle"] == {"start": "2027-01-01", "end": "2029-12-31"}


def test_stdin(monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(GOOD)))
    assert main(["-"]) == 0
    assert json.loads(capsys.readouterr().out)["certifications"][0]["earned"] == "15"


def test_no_as_of_means_today(evaluate_json) -> None:
    from datetime import date

    case = {k: v for k, v in GOOD.items() if k != "as_of"}
    code, out, _ = evaluate_json(case)
    assert code == 0 and json.loads(out)["as_of"] == date.today().isoformat()


def _bad(**changes):
    case = json.loads(json.dumps(GOOD))
    for path, value in changes.items():
        target = case
        *parents, last = path.split("__")
        for p in parents:
            target = target[int(p)] if p.isdigit() else target[p]
        if value is KeyError:
            del target[last]
        else:
            target[last] = value
    return case


@pytest.mark.parametrize(
    "case,line",
    [
        (_bad(credits__0__amount="abc"), "credits[0].amount: not a decimal"),
        (_bad(credits__0__amount=1.5), "credits[0].amount: not a decimal string"),
        (_bad(credits__0__amount="-2"), "credits[0].amount: must not be negative"),
        (_bad(credits__0__amount=KeyError), "credits[0].amount: required"),
        (
            _bad(credits__0__earned_on="03/03/2024"),
            "credits[0].earned_on: not a date (expected YYYY-MM-DD)",
        ),
        (_bad(credits__0__earned_on="2024-02-30"), "credits[0].earned_on: not a calendar date"),
        (_bad(credits__0__format="seminar"), "credits[0].format: unknown format 'seminar'"),
        (_bad(credits__0__unit="minutes"), "credits[0].unit: unknown unit 'minutes'"),
        (
            _bad(credits__0__awarded_by="XYZ"),
            "credits[0].awarded_by: unknown awarding organization 'XYZ'",
        ),
        (_bad(credits__0__grade="E"), "credits[0].grade: not a letter grade"),
        (_bad(credits__0__petition="maybe"), "credits[0].petition: unknown petition state 'maybe'"),
        (_bad(credits__0__id=KeyError), "credits[0].id: required"),
        (_bad(certifications__0__body="NSCA"), "certifications[0].body: unknown body 'NSCA'"),
        (
            _bad(certifications__0__program="XYZ"),
            "certifications[0].program: unknown ACSM program 'XYZ'",
        ),
        (_bad(certifications__0__certified_on=None), "certifications[0].certified_on: required"),
        (
            _bad(certifications__0__cycle_start="2027-01-01"),
            "certifications[0].cycle_end: required when",
        ),
        (_bad(as_of="tomorrow"), "as_of: not a date"),
        (_bad(certifications=KeyError), "certifications: required"),
    ],
)
def test_malformed_cases_exit_2_naming_the_field(evaluate_json, case, line) -> None:
    code, out, err = evaluate_json(case)
    assert code == 2
    assert out == ""
    assert any(x.startswith(line) for x in err.splitlines()), err


def test_every_problem_is_reported_one_per_line(evaluate_json) -> None:
    case = _bad(credits__0__amount="x", credits__0__unit="minutes", certifications__0__body="XYZ")
    code, out, err = evaluate_json(case)
    lines = err.strip().splitlines()
    assert code == 2 and out == ""
    assert [x.split(":")[0] for x in lines] == [
        "certifications[0].body",
        "credits[0].unit",
        "credits[0].amount",
    ]


def test_a_new_certification_names_a_known_program(evaluate_json) -> None:
    case = _bad(
        credits__0__format="new_certification",
        credits__0__awarded_by="ACSM",
        credits__0__course_number="XP",
        credits__0__unit="item",
        credits__0__amount="1",
    )
    code, _, err = evaluate_json(case)
    assert code == 2 and "credits[0].course_number: unknown ACSM program 'XP'" in err


def test_not_json_and_bad_as_of_flag(evaluate_json) -> None:
    code, out, err = evaluate_json("{not json")
    assert code == 2 and out == "" and "not valid JSON" in err
    code, out, err = evaluate_json(GOOD, "--as-of", "2026/06/01")
    assert code == 2 and out == "" and err.startswith("--as-of: not a date")


def test_the_installed_command(tmp_path) -> None:
    """The real entry point, as a user types it (python -m keeps it independent of PATH)."""
    path = tmp_path / "case.json"
    path.write_text(json.dumps(GOOD))
    done = subprocess.run(
        [sys.executable, "-m", "recert.rules.cli", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["certifications"][0]["earned"] == "15"
    done = subprocess.run(
        [sys.executable, "-m", "recert.rules.cli", "-"],
        input="[]",
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("case: expected a JSON object")


def _with_decisions(decisions):
    return _bad(credits__0__decisions=decisions)


@pytest.mark.parametrize(
    "case,line",
    [
        (
            _with_decisions({"ACSM": {"outcome": "maybe"}}),
            "credits[0].decisions.ACSM.outcome: unknown outcome 'maybe' (accepted: accepted, "
            "rejected)",
        ),
        (
            _with_decisions({"ACSM": {"outcome": "accepted", "counted_as": "ten"}}),
            "credits[0].decisions.ACSM.counted_as: not a decimal: 'ten'",
        ),
        (
            _with_decisions({"ACSM": {"outcome": "accepted", "counted_as": 0.8}}),
            "credits[0].decisions.ACSM.counted_as: not a decimal string",
        ),
        (
            _with_decisions({"ACSM": {"outcome": "accepted", "counted_as": "-1"}}),
            "credits[0].decisions.ACSM.counted_as: must not be negative",
        ),
        (
            _with_decisions({"ACSM": {"outcome": "rejected", "counted_as": "1", "reason": "x"}}),
            "credits[0].decisions.ACSM.counted_as: only an accepted decision gives an amount",
        ),
        (
            _with_decisions({"ACSM": {"outcome": "rejected"}}),
            "credits[0].decisions.ACSM.reason: required",
        ),
        (
            _with_decisions({"ACSM": {"outcome": "accepted", "by": "sam"}}),
            "credits[0].decisions.ACSM.by: unknown field (accepted: outcome, counted_as, reason)",
        ),
        (
            _with_decisions({"NSCA": {"outcome": "accepted"}}),
            "credits[0].decisions: unknown body 'NSCA' (accepted: ",
        ),
        (_with_decisions(["ACSM"]), "credits[0].decisions: not an object"),
        (_with_decisions({"ACSM": "accepted"}), "credits[0].decisions.ACSM: not an object"),
        (
            _bad(certifications__0__claimed_credits="c1"),
            "certifications[0].claimed_credits: not a list",
        ),
        (
            _bad(certifications__0__claimed_credits=["c1", 7]),
            "certifications[0].claimed_credits[1]: not a credit id",
        ),
        (
            _bad(certifications__0__claimed_credits=["c9"]),
            "certifications[0].claimed_credits[0]: unknown credit id 'c9'",
        ),
    ],
)
def test_malformed_decisions_and_claims_exit_2_naming_the_field(evaluate_json, case, line) -> None:
    code, out, err = evaluate_json(case)
    assert (code, out) == (2, "")
    assert any(x.startswith(line) for x in err.splitlines()), err


def test_every_bad_decision_is_one_line(evaluate_json) -> None:
    case = _with_decisions(
        {"ACSM": {"outcome": "maybe"}, "ACE": {"outcome": "accepted", "counted_as": "x"}}
    )
    code, out, err = evaluate_json(case)
    assert (code, out) == (2, "")
    assert [x.split(":")[0] for x in err.strip().splitlines()] == [
        "credits[0].decisions.ACSM.outcome",
        "credits[0].decisions.ACE.counted_as",
    ]


def test_a_decision_counts_for_its_body_only(evaluate_json) -> None:
    case = _bad(
        credits__0__decisions={"ACSM": {"outcome": "rejected", "reason": "content_out_of_scope"}}
    )
    case["certifications"].append(
        {"id": "pt", "body": "ACE", "program": "PT", "certified_on": "2024-06-10"}
    )
    case["credits"][0].update(
        course_number="CA23456", awarded_by="ACE", unit="cec", earned_on="2025-03-03"
    )
    code, out, err = evaluate_json(case)
    assert (code, err) == (0, "")
    cpt, pt = json.loads(out)["certifications"]
    assert cpt["credits"][0] == {
        "id": "c1",
        "outcome": "rejected",
        "converted": "15",
        "counted": "0",
        "rules": ["REVIEW-1", "ACSM-CONV-DECIMAL"],
        "reason": "content_out_of_scope",
    }
    assert (pt["credits"][0]["outcome"], pt["credits"][0]["counted"]) == ("accepted", "1.5")
    assert "REVIEW-1" not in pt["credits"][0]["rules"]


def test_claimed_credits_are_rejected_in_the_next_cycle(evaluate_json) -> None:
    case = _bad(
        certifications__0__cycle_start="2024-01-01",
        certifications__0__cycle_end="2026-12-31",
        certifications__0__claimed_credits=["c1"],
    )
    code, out, err = evaluate_json(case)
    assert (code, err) == (0, "")
    credit = json.loads(out)["certifications"][0]["credits"][0]
    assert (credit["outcome"], credit["counted"], credit["rules"]) == (
        "rejected",
        "0",
        ["ACSM-GRACE-2"],
    )
