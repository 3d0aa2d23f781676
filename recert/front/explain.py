"""Plain words for the engine's outcomes, statuses and blockers; rule ids are worded by the
policies themselves (recert/rules/policies/<BODY>/rules.yaml)."""

from __future__ import annotations

from recert.core import words
from recert.core.words import long_date, mdy

OUTCOMES = words.OUTCOMES
STATUSES = words.STATUSES


def rule(rule_id: str) -> str:
    """A rule id in plain words, as the body's policy words it (rules.yaml beside it)."""
    from recert.core.policies import rule_text

    return rule_text(rule_id) or rule_id


def outcome_words(outcome: str) -> str:
    return words.words(outcome, OUTCOMES)


def reason(outcome: str, rules) -> str:
    """"capped: teaching counts at most 5 … per year (ACSM-CAP-YEAR)"."""
    parts = [f"{rule(r)} ({r})" for r in rules]
    text = outcome_words(outcome)
    return f"{text}: {'; '.join(parts)}" if parts else text


def blockers(result, certification, unit: str = "CECs") -> list[str]:
    """What stops renewal, in words; the numbers and dates are the engine's."""
    from recert.rules import format_decimal

    phrases = []
    for blocker in result.renewal.blockers:
        if blocker == "short_of_required":
            phrases.append(f"{format_decimal(result.remaining)} {unit} short")
        elif blocker == "not_final_year":
            phrases.append(f"renewal opens on {mdy(result.renewal.window_opens)}")
        elif blocker == "cpr_aed_not_current":
            until = certification.cpr_aed_valid_until
            phrases.append(f"CPR/AED expired on {mdy(until)}" if until
                           else "no current CPR/AED certification recorded")
        elif blocker == "invalid":
            phrases.append("the certification is invalid: the cycle and its grace period "
                           "have ended")
        else:
            phrases.append(words.words(blocker, {}))
    return phrases


def standing_words(result, certification) -> tuple[str, str] | None:
    """For a certification that is not simply active: what it is, in plain words, and what
    to do next ("Inactive: in the grace period until June 30, 2027", …). None when active or
    renewal is open. Dates and amounts are the engine's."""
    from recert.rules import format_decimal

    if result.status == "grace":
        what = (f"Inactive: in the grace period until {long_date(result.renewal.grace_ends)}. "
                f"The cycle ended on {long_date(result.cycle.end)}.")
        if "short_of_required" in result.renewal.blockers:
            todo = (f"Earn the {format_decimal(result.remaining)} CECs still missing before "
                    f"{long_date(result.renewal.grace_ends)} (they count toward the ended "
                    "cycle), then renew with the late fee.")
        else:
            todo = (f"Renew before {long_date(result.renewal.grace_ends)}; a late fee of "
                    f"${result.renewal.late_fee:.2f} applies.")
        return what, todo
    if result.status == "invalid":
        ended = result.renewal.grace_ends
        if ended > result.cycle.end:
            what = f"Invalid: the grace period ended on {long_date(ended)}."
        else:
            what = f"Invalid: the cycle ended on {long_date(result.cycle.end)} without renewal."
        return what, ("Contact staff: only passing the certification exam again, or a "
                      "reinstatement by staff, restores it.")
    return None
