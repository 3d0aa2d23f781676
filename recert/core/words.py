"""The words people read for the engine's vocabulary, in one place: credit formats and units,
evaluation outcomes, certification statuses, renewal blockers, and the two ways a date is
written. Model choices, forms, pages, exports and e-mails all read them from here, so that a
format is called the same on the report form, in the credit log, in a transcript and in a
provider's course form. The keys are the engine's (recert.rules.model); the engine's rule
ids are worded by the policies themselves (rules.yaml), not here.
"""

from __future__ import annotations

from datetime import date

# A credit's format (CreditEntry.format, a provider's course format).
FORMATS = {
    "course": "Course (in person)", "online_course": "Online course", "conference": "Conference",
    "workshop": "Workshop", "webinar": "Webinar", "college_course": "College course",
    "teaching": "Teaching", "lecturing": "Lecturing / presenting", "volunteering": "Volunteering",
    "publication": "Publication (peer-reviewed)", "self_test": "Self-test (journal issue)",
    "acls": "ACLS", "cpr": "CPR", "aed": "AED", "first_aid": "First Aid", "bls": "BLS",
    "new_certification": "New certification", "exam": "Certification exam",
    "membership": "Professional membership", "committee": "Committee work",
    "workout": "Workout session / activity class", "other": "Other",
}
# The formats a provider's course may have.
COURSE_FORMATS = ("course", "online_course", "conference", "workshop", "webinar")

# A credit's unit as the report form offers it (what to pick from the certificate).
UNITS = {
    "hour": "Contact hours", "cec": "CECs (as printed on the certificate)", "ceu": "CEUs",
    "cme": "CME credits", "semester_hour": "College semester hours",
    "quarter_hour": "College quarter hours", "item": "Items (publications, issues, certifications)",
}

# How one credit counted (the engine's outcome).
OUTCOMES = {
    "accepted": "counted",
    "capped": "capped",
    "rejected": "not counted",
    "needs_review": "waiting for review",
    "outside_cycle": "outside the cycle",
}

# Where a certification stands.
STATUSES = {
    "active": "Active",
    "renewal_open": "Renewal open",
    "grace": "Grace period",
    "invalid": "Invalid",
}

# What stops a renewal, as a sentence (the renewal page's refusals). The dashboard's short
# phrases, with the engine's numbers and dates, are `recert.front.explain.blockers`.
BLOCKERS = {
    "short_of_required": "You have not reported the required CECs for this cycle yet.",
    "not_final_year": "Renewal opens later in the cycle.",
    "cpr_aed_not_current": "Your CPR/AED certification is not current.",
    "invalid": ("The grace period is over and the certification is invalid; it can only be "
                "restored by passing the certification exam again (contact staff)."),
}


def words(key: str, vocabulary: dict[str, str]) -> str:
    """The word for `key`, or the key itself in words ("short_of_required" → "short of
    required") when the vocabulary does not know it."""
    return vocabulary.get(key, key.replace("_", " "))


def choices(vocabulary: dict[str, str], keys) -> list[tuple[str, str]]:
    """Model or form choices for `keys` (the engine's tuple), worded by `vocabulary`."""
    return [(key, words(key, vocabulary)) for key in keys]


def mdy(day: date | None) -> str:
    """A date on pages, forms and messages: 06/30/2027 (as the templates' date:"m/d/Y")."""
    return day.strftime("%m/%d/%Y") if day else ""


def long_date(day: date | None) -> str:
    """A date in running text (e-mails, standing): June 30, 2027."""
    return f"{day:%B} {day.day}, {day.year}" if day else ""


def short_date(day: date, today: date) -> str:
    """"December 31" within the current year, else "February 28, 2027"."""
    return f"{day:%B} {day.day}" if day.year == today.year else long_date(day)
