"""Adding a certifying body is a data change: a policy folder, no code."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from recert.rules import CertificationIn, CreditIn, evaluate, load_policies
from recert.rules.cli import main

FOLDER = Path(__file__).parent / "madeup"


def test_a_new_body_from_a_policy_folder_evaluates_with_no_code_change() -> None:
    policies = load_policies(FOLDER)
    cert = CertificationIn("coach", "FITB", "COACH", date(2025, 3, 10))
    credits = [
        CreditIn("h", date(2025, 4, 1), "course", Decimal("3"), "hour", title="Hours"),
        CreditIn("t", date(2025, 5, 1), "teaching", Decimal("5"), "cec", title="Teach"),
        CreditIn("w", date(2025, 6, 1), "workout", Decimal("5"), "hour", title="Spin"),
    ]
    result = evaluate(policies, [cert], credits, date(2026, 1, 15)).certification("coach")
    assert (result.cycle.start, result.cycle.end) == (date(2025, 3, 10), date(2026, 3, 31))
    assert result.required == Decimal("12")  # in force at cycle start, not the 2026 value
    assert result.credit("h").counted == Decimal("6")
    assert (result.credit("t").outcome, result.credit("t").counted) == ("capped", Decimal("3"))
    assert result.credit("w").outcome == "rejected"
    assert result.earned == Decimal("9")
    assert result.renewal.fee == Decimal("90.00")  # fees are read on the evaluation date
    assert result.renewal.blockers == ("short_of_required",)


def test_the_cli_takes_an_extra_policy_folder(tmp_path, capsys) -> None:
    case = {
        "as_of": "2026-04-15",
        "certifications": [
            {
                "id": "coach",
                "body": "FITB",
                "program": "COACH",
                "certified_on": "2025-03-10",
                "cycle_start": "2025-03-10",
                "cycle_end": "2026-03-31",
            }
        ],
        "credits": [],
    }
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    assert main([str(path), "--policies", str(FOLDER)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["certifications"][0]["status"] == "grace"
    assert out["certifications"][0]["renewal"]["late_fee"] == "10.00"
