"""The `recert` command line: usage, and `recert evaluate` without Django."""

from __future__ import annotations

import json
import subprocess
import sys

from recert.cli import main

CASE = {
    "as_of": "2026-06-01",
    "certifications": [{"id": "cpt", "body": "ACSM", "program": "CPT",
                        "certified_on": "2023-05-10", "cpr_aed_valid_until": "2027-03-31"}],
    "credits": [{"id": "c1", "earned_on": "2024-03-03", "title": "Strength Summit",
                 "format": "conference", "amount": "1.5", "unit": "ceu", "awarded_by": "NASM",
                 "provider": "NASM"}],
}


def test_usage(capsys):
    assert main([]) == 0
    assert "demo" in capsys.readouterr().out
    assert main(["frobnicate"]) == 2
    assert "unknown command" in capsys.readouterr().err


def test_evaluate_runs_the_engine_without_django(tmp_path):
    case = tmp_path / "case.json"
    case.write_text(json.dumps(CASE))
    code = (
        "import sys\nfrom recert.cli import main\n"
        f"rc = main(['evaluate', {str(case)!r}])\n"
        "assert 'django' not in sys.modules, 'django was imported'\n"
        "sys.exit(rc)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["certifications"][0]["id"] == "cpt"
