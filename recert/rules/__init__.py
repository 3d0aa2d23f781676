"""The rules engine: dated policies in, where each certification stands out.

Pure Python — no Django, no database, no clock. See shared/spec/EVALUATE.md.
"""

from __future__ import annotations

from .case import CaseError, evaluation_json, format_decimal, format_money, parse_case
from .cycles import cycle_containing, first_cycle, grace_ends, next_cycle, window_opens
from .engine import current_cycle, evaluate
from .model import CertificationIn, CreditIn, Cycle, Decision, Evaluation
from .policy import BodyPolicy, Policies, PolicyError, load_policies

__all__ = [
    "BodyPolicy",
    "CaseError",
    "CertificationIn",
    "CreditIn",
    "Cycle",
    "Decision",
    "Evaluation",
    "Policies",
    "PolicyError",
    "current_cycle",
    "cycle_containing",
    "evaluate",
    "evaluation_json",
    "first_cycle",
    "format_decimal",
    "format_money",
    "grace_ends",
    "load_policies",
    "next_cycle",
    "parse_case",
    "window_opens",
]
