"""Completion rosters: reading a provider's CSV or xlsx file into checked rows, and matching
each row to a professional (the course's body member ID first, then a verified e-mail
address). Reads only; the writes are in recert.providers.actions.rosters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q

from recert.core.models import Course, CreditEntry, MemberId, Professional
from recert.lib.tables import TableRefused, read_table

# The columns a roster may have (header names, compared without case, spaces, dashes or
# underscores) and the field each fills.
COLUMNS = {
    "memberid": "member_id", "id": "member_id", "aceid": "member_id", "acsmid": "member_id",
    "email": "email", "emailaddress": "email",
    "name": "name", "fullname": "name",
    "completiondate": "completed_on", "completedon": "completed_on", "date": "completed_on",
    "cecs": "credits", "credits": "credits",
    "coursenumber": "course_number",
}
COLUMN_NAMES = "member ID, e-mail, name, completion date, CECs, course number"
# A cell a spreadsheet would run as a formula (CSV/formula injection): refused, never stored.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")


@dataclass
class ParsedRow:
    line: int
    member_id: str
    email: str
    name: str
    completed_on: date
    credits: Decimal | None


class RosterRefused(ValidationError):
    """The file cannot be read as a roster; the messages name the column or row."""


def max_bytes() -> int:
    return getattr(settings, "ROSTER_MAX_BYTES", 5 * 1024 * 1024)


def _key(header) -> str:
    return re.sub(r"[\s_\-]", "", str(header or "")).casefold()


def _table(uploaded) -> list[list]:
    try:
        return read_table(uploaded, max_bytes=max_bytes(), what="a roster")
    except TableRefused as refused:
        raise RosterRefused({"file": str(refused)}) from None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value, today: date) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        text = _text(value)
        for fmt in DATE_FORMATS:
            try:
                value = datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"“{text}” is not a date; use YYYY-MM-DD or MM/DD/YYYY")
    if value > today:
        raise ValueError(f"{value:%m/%d/%Y} is in the future")
    return value


def _credits(value) -> Decimal | None:
    text = _text(value)
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"“{text}” is not a number") from None
    if not amount.is_finite() or amount <= 0 or amount >= 10000:
        raise ValueError(f"{text} is not a number of credits above 0")
    amount = amount.quantize(Decimal("0.01"))
    if amount <= 0:
        raise ValueError(f"{text} rounds to 0; give at least 0.01")
    return amount


def read_row(values: dict, today: date, course: Course | None = None, *, line: int
             ) -> tuple[ParsedRow | None, list[tuple[str, str]]]:
    """One roster row's cells (a file's row, or a row sent through the API), checked: the
    row, or None and its problems as (field, words) pairs — the field is the column's
    (member_id, email, name, completed_on, credits, course_number)."""
    values = dict(values)
    problem: list[tuple[str, str]] = []
    for field in ("member_id", "email", "name"):
        text = _text(values.get(field))
        if text.startswith(FORMULA_START):
            problem.append((field, f"{field.replace('_', ' ')} starts with “{text[0]}” like a "
                                   "spreadsheet formula; type the value itself"))
        values[field] = text
    if values["email"]:
        values["email"] = values["email"].lower()
        try:
            if len(values["email"]) > 254:
                raise ValidationError("too long")
            validate_email(values["email"])
        except ValidationError:
            problem.append(("email", f"e-mail “{values['email'][:60]}” is not an e-mail "
                                     "address"))
    number = _text(values.get("course_number")).upper()
    if number and course is not None:
        from recert.core.policies import course_numbers

        rule = course_numbers(today).get(course.body.code)
        if rule is not None and not rule.matches(number):
            problem.append(("course_number", f"course number “{number[:40]}” is not in the "
                                             f"{course.body.code} format "
                                             f"({rule.format or rule.pattern})"))
        elif number != course.course_number.upper():
            problem.append(("course_number", f"course number {number[:40]} is not this "
                                             f"course's ({course.course_number})"))
    if not values["member_id"] and not values["email"]:
        problem.append(("member_id", "give a member ID or an e-mail address"))
    for field, reader in (("completed_on", lambda v: _date(v, today)),
                          ("credits", _credits)):
        try:
            values[field] = reader(values.get(field))
        except ValueError as error:
            label = "completion date" if field == "completed_on" else "CECs"
            problem.append((field, f"{label}: {error}"))
    if len(values["member_id"]) > 40 or len(values["name"]) > 200:
        problem.append(("member_id" if len(values["member_id"]) > 40 else "name",
                        "member ID (40) or name (200 characters) too long"))
    if problem:
        return None, problem
    return ParsedRow(line, values["member_id"], values["email"], values["name"][:200],
                     values["completed_on"], values["credits"]), []


def parse_rows(rows: list[dict], today: date, course: Course | None = None
               ) -> list[ParsedRow]:
    """Rows sent as data (the API's roster), checked one by one as a file's rows are; row i
    becomes line i + 1. RosterRefused keyed by `rows[i].field` (i from 0) when any is
    wrong, each message the file's words for that field."""
    parsed, errors = [], {}
    for index, values in enumerate(rows):
        row, problem = read_row(values, today, course, line=index + 1)
        for field, words in problem:
            errors.setdefault(f"rows[{index}].{field}", []).append(
                words[:1].upper() + words[1:] + ".")
        if row is not None:
            parsed.append(row)
    if errors:
        raise RosterRefused(errors)
    if not parsed:
        raise RosterRefused({"rows": "The roster has no rows."})
    return parsed


def parse_roster(uploaded, today: date, course: Course | None = None) -> list[ParsedRow]:
    """Every row of the file, checked; RosterRefused listing every problem (by column or
    by row and field) when anything is wrong, so that nothing is stored from a bad file."""
    table = [row for row in _table(uploaded) if any(_text(c) for c in row)]
    if not table:
        raise RosterRefused({"file": "The file is empty."})
    header = table[0]
    fields = []
    for position, name in enumerate(header, start=1):
        field = COLUMNS.get(_key(name))
        if field is None:
            raise RosterRefused({"file": f"Column {position} “{_text(name)[:40]}” is not a "
                                         f"roster column; the columns are {COLUMN_NAMES}."})
        if field in fields:
            raise RosterRefused({"file": f"Column “{_text(name)[:40]}” appears twice."})
        fields.append(field)
    if "completed_on" not in fields:
        raise RosterRefused({"file": "The roster needs a completion date column."})
    if "member_id" not in fields and "email" not in fields:
        raise RosterRefused({"file": "The roster needs a member ID or an e-mail column."})
    rows, problems = [], []
    for line, cells in enumerate(table[1:], start=2):
        values = dict(zip(fields, list(cells) + [None] * (len(fields) - len(cells)),
                          strict=False))
        row, problem = read_row(values, today, course, line=line)
        if problem:
            problems.append(f"Row {line}: " + "; ".join(m for _, m in problem) + ".")
        else:
            rows.append(row)
    if problems:
        raise RosterRefused({"file": problems[:50] + ([f"… and {len(problems) - 50} more "
                                                       "rows."] if len(problems) > 50 else [])})
    if not rows:
        raise RosterRefused({"file": "The file has a header but no rows."})
    return rows


# -- matching ------------------------------------------------------------------------------

def verified_email(user) -> str | None:
    """The user's verified e-mail address, or None. E-mail verification is the hardening
    issue's (recert.accounts); until it lands no address counts as verified, so rosters match
    by member ID only and hold every other row. Switch here when it lands."""
    try:
        from recert.accounts.verification import verified_email as helper  # type: ignore
    except ImportError:
        return None
    return helper(user)


def professionals_with_verified(email: str) -> list[Professional]:
    """The professionals whose verified address is `email`."""
    if not email:
        return []
    candidates = Professional.objects.select_related("user").filter(
        Q(user__email__iexact=email) | Q(email__iexact=email))
    return [p for p in candidates if (verified_email(p.user) or "").lower() == email.lower()]


@dataclass(frozen=True)
class Match:
    professional: Professional | None
    # Why no one was matched, in words for the provider (empty when matched).
    held_because: str = ""


def match_row(course: Course, member_id: str, email: str) -> Match:
    """The course's body member ID first, then a verified e-mail address. A member ID and
    an address that name different people, or an address shared by several people, is
    ambiguous: held for the provider to correct."""
    by_id = None
    if member_id:
        row = MemberId.objects.select_related("professional").filter(
            body=course.body_id, member_id__iexact=member_id).first()
        by_id = row.professional if row else None
    by_email = professionals_with_verified(email)
    if by_id is not None:
        if by_email and all(p.pk != by_id.pk for p in by_email):
            return Match(None, f"{course.body.code} member ID {member_id} and {email} belong "
                               "to different people; check the row")
        return Match(by_id)
    if len(by_email) > 1:
        return Match(None, f"{email} belongs to several people; add their member ID")
    if by_email:
        if member_id:
            return Match(None, f"no one holds {course.body.code} member ID {member_id}, and "
                               f"{email} belongs to someone; check the member ID")
        return Match(by_email[0])
    if member_id and email:
        return Match(None, f"no one holds {course.body.code} member ID {member_id} or has "
                           f"verified {email}")
    if member_id:
        return Match(None, f"no one holds {course.body.code} member ID {member_id}")
    return Match(None, f"no one has verified {email} yet; it is offered to them once they do")


def _normalize(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", (text or "").casefold()).split())


def own_report_of_same_course(professional: Professional, course: Course
                              ) -> CreditEntry | None:
    """The professional's self-reported entry of the same course (ACSM-SAME-1, ACE-SAME-1:
    equal course numbers when both carry one, else the same provider and normalized title),
    to merge with the provider's report instead of counting it twice."""
    entries = CreditEntry.objects.filter(professional=professional,
                                         source=CreditEntry.SELF_REPORTED).order_by("id")
    for entry in entries:
        if entry.format in ("teaching", "lecturing", "volunteering"):
            continue
        if entry.course_number and course.course_number:
            if entry.course_number.strip().upper() == course.course_number.upper():
                return entry
            continue
        if (_normalize(entry.title) == _normalize(course.title)
                and _normalize(entry.provider) == _normalize(course.provider.name)):
            return entry
    return None


def check_row(values: dict, today: date) -> None:
    """The checks of a file's row, for a row the provider corrects; ValidationError by field."""
    errors = {}
    for field in ("member_id", "email", "name"):
        text = (values.get(field) or "").strip()
        if text.startswith(FORMULA_START):
            errors[field] = (f"Starts with “{text[0]}” like a spreadsheet formula; type the "
                             "value itself.")
    if values.get("email"):
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = "Enter an e-mail address."
    if "member_id" in values and "email" in values and not (values["member_id"]
                                                            or values["email"]):
        errors["member_id"] = "Give a member ID or an e-mail address."
    if values.get("completed_on") and values["completed_on"] > today:
        errors["completed_on"] = "The completion date cannot be in the future."
    if values.get("credits") is not None and values["credits"] <= 0:
        errors["credits"] = "Enter a number of credits above 0."
    if errors:
        raise ValidationError(errors)
