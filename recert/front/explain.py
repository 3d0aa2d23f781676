"""Plain words for the engine's rule ids, outcomes, statuses and blockers (one place)."""

from __future__ import annotations

from datetime import date

RULES = {
    "ACSM-CYCLE-1": "an ACSM cycle runs three years and ends on December 31",
    "ACSM-REQ-1": "the CECs required and the fee depend on the program",
    "ACSM-REQ-CPR": "renewal needs a current CPR and AED certification",
    "ACSM-MULTI-1": "with several ACSM certifications, the highest requirement applies and "
                    "credits count for each certification whose cycle contains them",
    "ACSM-MULTI-FEE": "renewing several: the highest fee plus $5 for each other one",
    "ACSM-WINDOW-1": "renewal opens in the final year of the cycle once the CECs are reported",
    "ACSM-RENEW-1": "renewing starts the next cycle",
    "ACSM-GRACE-1": "six months of grace after the cycle end, with a late fee",
    "ACSM-EXAM-1": "passing the exam again renews the certification",
    "ACSM-DATE-1": "only credits earned inside the cycle, after certification, count",
    "ACSM-CONV-HOUR": "one CEC per hour of participation",
    "ACSM-CONV-DECIMAL": "decimal-system credits count 0.1 = 1 ACSM CEC",
    "ACSM-COLLEGE-1": "college courses count 10 CECs per semester hour with a grade of C or "
                      "better (quarter hours are reviewed by staff)",
    "ACSM-PUB-1": "a peer-reviewed publication counts 10 CECs",
    "ACSM-SELFTEST-1": "a Certified News self-test counts 4 CECs and expires a year after "
                       "its publication",
    "ACSM-ACLS-1": "ACLS counts hour for hour; CPR and BLS are a requirement, not credit",
    "ACSM-EXCL-1": "exams, memberships, committees and CPR training do not count",
    "ACSM-NEWCERT-1": "a new, higher or specialty ACSM certification earns a fixed number of CECs",
    "ACSM-TEACH-30": "teaching and lecturing count at most 30% of the required CECs",
    "ACSM-TEACH-REPEAT": "teaching the same course again counts once per cycle",
    "ACSM-CAP-YEAR": "teaching counts at most 5 and volunteering at most 8 per year",
    "ACSM-DOC-1": "this format needs a document uploaded when it is reported",
    "ACSM-AUDIT-1": "a yearly audit asks for proof of every CEC",
    "ACSM-FORM-1": "the self-report form",
    "ACSM-SAME-1": "the same course completed twice in a cycle counts once",
    "ACE-PROGRAMS": "every ACE program has the same requirement",
    "ACE-REQ-1": "ACE requires 2.0 CECs every two years",
    "ACE-CONV-HOUR": "ACE counts 0.1 CEC per hour of learning",
    "ACE-CPR-1": "CPR, AED and First Aid count 0.2 ACE CEC each",
    "ACE-COURSE-1": "an ACE-approved course number counts its listed CECs",
    "ACE-PETITION-1": "a course that is not ACE-approved counts only after an approved petition",
    "ACE-COLLEGE-1": "college courses count 1.0 CEC per semester hour, 0.8 per quarter hour, "
                     "with a grade of C or better",
    "ACE-EXCL-1": "workout sessions and activity courses do not count for ACE",
    "ACE-SAME-1": "the same course counts once",
    "ACE-MULTI-1": "credits earned while several ACE certifications are current count for each",
    "ACE-CARRY-1": "credits count only inside the current certification period",
    "ACE-DOC-1": "keep certificates at least four years",
    "ACE-WINDOW-1": "ACE renewal opens once the requirement is met",
}

OUTCOMES = {
    "accepted": "counted",
    "capped": "capped",
    "rejected": "not counted",
    "needs_review": "waiting for review",
    "outside_cycle": "outside the cycle",
}

STATUSES = {
    "active": "Active",
    "renewal_open": "Renewal open",
    "grace": "Grace period",
    "invalid": "Invalid",
}


def rule(rule_id: str) -> str:
    return RULES.get(rule_id, rule_id)


def outcome_words(outcome: str) -> str:
    return OUTCOMES.get(outcome, outcome.replace("_", " "))


def reason(outcome: str, rules) -> str:
    """"capped: teaching counts at most 5 … per year (ACSM-CAP-YEAR)"."""
    parts = [f"{rule(r)} ({r})" for r in rules]
    text = outcome_words(outcome)
    return f"{text}: {'; '.join(parts)}" if parts else text


def mdy(day: date | None) -> str:
    return day.strftime("%m/%d/%Y") if day else ""


def blockers(result, certification, unit: str = "CECs") -> list[str]:
    """What stops renewal, in words; the numbers and dates are the engine's."""
    from recert.rules import format_decimal

    words = []
    for blocker in result.renewal.blockers:
        if blocker == "short_of_required":
            words.append(f"{format_decimal(result.remaining)} {unit} short")
        elif blocker == "not_final_year":
            words.append(f"renewal opens on {mdy(result.renewal.window_opens)}")
        elif blocker == "cpr_aed_not_current":
            until = certification.cpr_aed_valid_until
            words.append(f"CPR/AED expired on {mdy(until)}" if until
                         else "no current CPR/AED certification recorded")
        elif blocker == "invalid":
            words.append("the certification is invalid: the cycle and its grace period "
                         "have ended")
        else:
            words.append(blocker.replace("_", " "))
    return words
