"""Loading the YAML rule cases that live beside the policies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from recert.rules.case import format_decimal
from recert.rules.policy import SHIPPED


def _plain(value: Any) -> Any:
    """YAML dates back to ISO strings, so a case reads exactly like EVALUATE.md's JSON."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def load_cases() -> list[tuple[str, dict]]:
    cases = []
    for path in sorted(SHIPPED.glob("*/cases/*.yaml")):
        for index, case in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))):
            ident = f"{path.parent.parent.name}/{path.stem}[{index}] {case['name']}"
            cases.append((ident, _plain(case)))
    return cases


def normalize(value: Any) -> Any:
    """Compare numbers by value whatever their spelling ("0.10" == Decimal("0.1") == 0.1)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, Decimal, str)):
        try:
            return format_decimal(Decimal(str(value)))
        except InvalidOperation:
            return value
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    return value


def rules_in(path: Path) -> set[str]:
    import re

    # Every id in the catalogue's tables: body rules (ACSM-…, ACE-…) and rules of both
    # bodies (REVIEW-1).
    return set(re.findall(r"^\| ([A-Z]+-[A-Z0-9-]+) \|", path.read_text(), re.M))
