"""`recert evaluate CASE.json [--as-of YYYY-MM-DD]`: the engine, exactly, on the command line.

Exit 0 with JSON on stdout; a malformed case exits 2 with one line per problem on stderr
and nothing on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

from .case import CaseError, evaluation_json, parse_case, parse_date
from .engine import evaluate
from .policy import PolicyError, load_policies


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own errors exit 2 as well
        self.print_usage(sys.stderr)
        print(f"recert evaluate: {message}", file=sys.stderr)
        sys.exit(2)


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="recert evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("case", help="the case file (JSON), or - for standard input")
    parser.add_argument("--as-of", help="evaluation date YYYY-MM-DD (wins over the case's as_of)")
    parser.add_argument(
        "--policies",
        action="append",
        default=[],
        metavar="DIR",
        help="extra policy folder (a body folder, or a folder of them)",
    )
    parser.add_argument(
        "--detail",
        action="store_true",
        help="add what pages need beyond EVALUATE.md's shape (fee lines, window and grace dates)",
    )
    args = parser.parse_args(argv)

    problems: list[str] = []
    as_of_override = None
    if args.as_of is not None:
        try:
            as_of_override = parse_date(args.as_of)
        except ValueError as exc:
            problems.append(f"--as-of: {exc}")

    try:
        text = sys.stdin.read() if args.case == "-" else Path(args.case).read_text(encoding="utf-8")
    except OSError as exc:
        return _fail(problems + [f"{args.case}: cannot read: {exc.strerror}"])
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return _fail(
            problems
            + [f"{args.case}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"]
        )

    try:
        policies = load_policies()
        if args.policies:
            extra = load_policies(*args.policies)
            policies = type(policies)(
                {**policies.bodies, **extra.bodies},
                {**policies.organizations, **extra.organizations},
            )
    except PolicyError as exc:
        return _fail(problems + [f"policy: {exc}"])

    try:
        case = parse_case(data, policies)
    except CaseError as exc:
        return _fail(problems + exc.problems)
    if problems:
        return _fail(problems)

    as_of = as_of_override or case.as_of or date.today()
    result = evaluate(policies, case.certifications, case.credits, as_of)
    try:
        sys.stdout.write(json.dumps(evaluation_json(result, detail=args.detail), indent=2) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. `recert evaluate case.json | head`: the reader left
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _fail(problems: list[str]) -> int:
    for line in problems:
        print(line, file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
