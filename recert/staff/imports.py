"""The body's registry export (CSV or xlsx) read into checked rows and planned against the
database, row by row: created, updated, unchanged or refused, and why (issue 12). Reads
only; recert.staff.actions writes.

A file is refused whole when it cannot be a registry export: not CSV/xlsx by content, over
the size limit, columns that are not the export's, or a cell a spreadsheet would run as a
formula (`=HYPERLINK(…)`). A row is refused alone for its own data: a bad date, an unknown
program, a member ID twice in the file, a missing name or member ID, a bad e-mail address.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from recert.core.models import (
    Certification,
    CertifyingBody,
    Cycle,
    MemberId,
    Professional,
    Program,
)
from recert.core.models.professionals import compose_name, split_name
from recert.lib.tables import TableRefused, read_table

# Header names (compared without case, spaces, dashes, underscores or dots) → field.
COLUMNS = {
    "memberid": "member_id", "membernumber": "member_id", "id": "member_id",
    "acsmid": "member_id", "aceid": "member_id",
    "name": "name", "fullname": "name",
    "familyname": "family_name", "lastname": "family_name", "surname": "family_name",
    "givennames": "given_names", "givenname": "given_names", "firstname": "given_names",
    "email": "email", "emailaddress": "email",
    "program": "program", "programcode": "program", "certification": "program",
    "certifiedon": "certified_on", "certificationdate": "certified_on",
    "datecertified": "certified_on",
    "currentcycleend": "cycle_end", "cycleend": "cycle_end", "expires": "cycle_end",
    "expirationdate": "cycle_end",
}
COLUMN_NAMES = ("member ID, name (or family name and given names), e-mail, program, "
                "certified on, current cycle end")
REQUIRED = ("member_id", "program", "certified_on", "cycle_end")
# A cell a spreadsheet would run as a formula (CSV/formula injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")
CREATE, UPDATE, UNCHANGED, REFUSED = "create", "update", "unchanged", "refused"
ACTIONS = (CREATE, UPDATE, UNCHANGED, REFUSED)


class ImportRefused(ValidationError):
    """The file cannot be read as the registry export; the messages say why."""


def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def _key(header) -> str:
    return re.sub(r"[\s_\-.]", "", str(header or "")).casefold()


def _table(uploaded) -> list[list]:
    try:
        return read_table(uploaded, max_bytes=max_bytes(), what="an import")
    except TableRefused as refused:
        raise ImportRefused({"file": str(refused)}) from None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def _date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"“{text[:40]}” is not a date; use YYYY-MM-DD or MM/DD/YYYY")


@dataclass
class Row:
    """One data row of the file as read (values checked where they can be alone)."""

    line: int
    member_id: str = ""
    given_names: str = ""
    family_name: str = ""
    email: str = ""
    program: str = ""
    certified_on: str = ""  # ISO dates once checked
    cycle_end: str = ""
    problems: list[str] = field(default_factory=list)


def read_rows(uploaded, today: date) -> list[Row]:
    """Every data row, with the problems of each; ImportRefused for a file that is not the
    registry export."""
    table = [row for row in _table(uploaded) if any(_text(c) for c in row)]
    if not table:
        raise ImportRefused({"file": "The file is empty."})
    fields: list[str | None] = []
    for position, name in enumerate(table[0], start=1):
        key = COLUMNS.get(_key(name))
        if key is None:
            raise ImportRefused({"file": f"Column {position} “{_text(name)[:40]}” is not a "
                                         f"column of the registry export; the columns are "
                                         f"{COLUMN_NAMES}."})
        if key in fields:
            raise ImportRefused({"file": f"Column “{_text(name)[:40]}” appears twice."})
        fields.append(key)
    missing = [f for f in REQUIRED if f not in fields]
    if "name" not in fields and "family_name" not in fields:
        missing.append("name")
    if missing:
        raise ImportRefused({"file": "The file lacks the column" + ("s " if len(missing) > 1
                                                                  else " ")
                                     + ", ".join(m.replace("_", " ") for m in missing)
                                     + f"; the columns are {COLUMN_NAMES}."})
    if len(table) - 1 > settings.IMPORT_MAX_ROWS:
        raise ImportRefused({"file": f"The file has {len(table) - 1} rows; an import may have "
                                     f"at most {settings.IMPORT_MAX_ROWS}. Split it."})
    injected = []
    rows = []
    for line, cells in enumerate(table[1:], start=2):
        values = {f: _text(v) for f, v in zip(fields, cells, strict=False)}
        raw = dict(zip(fields, cells, strict=False))
        for name, text in values.items():
            if text.startswith(FORMULA_START) and not (name == "member_id" and
                                                       text[1:].isalnum()):
                injected.append(f"row {line}, {name.replace('_', ' ')} "
                                f"(“{text[:30]}”)")
        row = Row(line=line, member_id=values.get("member_id", ""),
                  email=values.get("email", "").lower(), program=values.get("program", ""))
        if "name" in values and not ("family_name" in values or "given_names" in values):
            row.given_names, row.family_name = split_name(values["name"])
        else:
            row.given_names = " ".join(values.get("given_names", "").split())
            row.family_name = " ".join(values.get("family_name", "").split())
        if not row.member_id:
            row.problems.append("no member ID")
        elif len(row.member_id) > 40:
            row.problems.append("member ID longer than 40 characters")
        if not row.family_name:
            row.problems.append("no name")
        elif len(row.family_name) > 100 or len(row.given_names) > 100:
            row.problems.append("name longer than 100 characters")
        if row.email:
            try:
                validate_email(row.email)
            except ValidationError:
                row.problems.append(f"e-mail “{row.email[:60]}” is not an e-mail address")
        for name, label in (("certified_on", "certified on"), ("cycle_end", "cycle end")):
            try:
                setattr(row, name, _date(raw.get(name)).isoformat())
            except ValueError as error:
                row.problems.append(f"{label}: {error}")
        if row.certified_on and row.certified_on > today.isoformat():
            row.problems.append(f"certified on {date.fromisoformat(row.certified_on):%m/%d/%Y}"
                                " is in the future")
        if row.certified_on and row.cycle_end and row.cycle_end < row.certified_on:
            row.problems.append("the cycle ends before the certification date")
        rows.append(row)
    if injected:
        shown = "; ".join(injected[:10]) + (f"; and {len(injected) - 10} more"
                                             if len(injected) > 10 else "")
        raise ImportRefused({"file": "The file has cells a spreadsheet would run as formulas "
                                     f"(starting with =, +, -, @): {shown}. Nothing was "
                                     "imported; fix the cells and upload it again."})
    if not rows:
        raise ImportRefused({"file": "The file has a header but no rows."})
    return rows


def _program(body: CertifyingBody, programs: list[Program], text: str) -> Program | None:
    wanted = text.strip().casefold()
    for program in programs:
        if wanted in (program.code.casefold(), program.name.casefold(),
                      program.full_name.casefold(), f"{body.code} {program.code}".casefold()):
            return program
    return None


def cycle_ending(program: Program, certified_on: date, end: date) -> tuple[int, date, date]:
    """(number, start, end) of the certification's cycle, on the body's schedule, that
    ends on `end`; ValueError naming the schedule's ends when none does."""
    from recert.core.actions.certifications import first_cycle
    from recert.core.policies import following_cycle

    start, stop = first_cycle(program, certified_on)
    number = 1
    ends = [stop]
    while stop < end and number < 100:
        following = following_cycle(program.body.code, certified_on, start, stop)
        start, stop, number = following.start, following.end, number + 1
        ends.append(stop)
    if stop != end:
        near = ", ".join(f"{d:%m/%d/%Y}" for d in ends[-2:])
        raise ValueError(f"cycle end {end:%m/%d/%Y} is not the end of a {program.body.code} "
                         f"cycle for a certification of {certified_on:%m/%d/%Y} "
                         f"(they end {near}, …)")
    return number, start, stop


def plan(body: CertifyingBody, rows: list[Row]) -> list[dict]:
    """What committing each row would do, as JSON-ready dicts (the dry run): action, why
    (refused) or the changes (created/updated), and the checked values. Reads in a fixed
    number of queries however many rows."""
    programs = list(Program.objects.filter(body=body).select_related("body"))
    counts: dict[str, list[int]] = {}
    for row in rows:
        if row.member_id:
            counts.setdefault(row.member_id, []).append(row.line)
    member_ids = {m.member_id: m for m in MemberId.objects.filter(
        body=body, member_id__in=list(counts)).select_related("professional")}
    emails = {r.email for r in rows if r.email}
    by_email: dict[str, Professional] = {}
    for person in Professional.objects.filter(email__in=emails).order_by("pk"):
        by_email.setdefault(person.email.lower(), person)
    people = {m.professional_id for m in member_ids.values()} | {
        p.pk for p in by_email.values()}
    their_ids = {m.professional_id: m.member_id for m in MemberId.objects.filter(
        body=body, professional_id__in=people)}
    certifications: dict[tuple[int, int], Certification] = {}
    for c in Certification.objects.filter(professional_id__in=people,
                                          program__body=body).prefetch_related(
            "cycles").order_by("pk"):
        certifications.setdefault((c.professional_id, c.program_id), c)
    planned = []
    for row in rows:
        entry = asdict(row)
        problems = list(row.problems)
        lines = counts.get(row.member_id, [])
        if len(lines) > 1:
            problems.append(f"member ID {row.member_id} appears on rows "
                            f"{', '.join(map(str, lines))} of the file")
        program = _program(body, programs, row.program) if row.program else None
        if row.program and program is None:
            problems.append(f"unknown program “{row.program[:40]}”; {body.code}'s programs "
                            f"are {', '.join(p.code for p in programs)}")
        elif not row.program:
            problems.append("no program")
        cycle = None
        if not problems:
            try:
                cycle = cycle_ending(program, date.fromisoformat(row.certified_on),
                                     date.fromisoformat(row.cycle_end))
            except ValueError as error:
                problems.append(str(error))
        if problems:
            planned.append({**entry, "action": REFUSED, "why": problems, "changes": []})
            continue
        entry["program"] = program.code
        entry["cycle"] = [cycle[0], cycle[1].isoformat(), cycle[2].isoformat()]
        member = member_ids.get(row.member_id)
        person = member.professional if member else by_email.get(row.email)
        if person is None:
            planned.append({**entry, "action": CREATE, "why": [], "changes": [
                "new professional" + (", claim link by e-mail" if row.email
                                      else " (no e-mail: no claim link)")]})
            continue
        if member is None and their_ids.get(person.pk):
            planned.append({**entry, "action": REFUSED, "changes": [], "why": [
                f"e-mail {row.email} belongs to {body.code} member ID "
                f"{their_ids[person.pk]}, not {row.member_id}"]})
            continue
        entry["professional"] = person.pk
        changes = []
        if member is None:
            changes.append(f"member ID: → {row.member_id} (matched by e-mail)")
        name = compose_name(row.given_names, row.family_name)
        if (row.given_names, row.family_name) != (person.given_names, person.family_name) \
                and name != person.full_name:
            changes.append(f"name: {person.full_name} → {name}")
        certification = certifications.get((person.pk, program.pk))
        if certification is None:
            changes.append(f"certification: → {program.code} certified "
                           f"{date.fromisoformat(row.certified_on):%m/%d/%Y}")
        else:
            entry["certification"] = certification.pk
            if certification.certified_on.isoformat() != row.certified_on:
                changes.append(f"certified on: {certification.certified_on:%m/%d/%Y} → "
                               f"{date.fromisoformat(row.certified_on):%m/%d/%Y}")
            current = certification.current_cycle()
            if current is None or current.end.isoformat() != row.cycle_end:
                old = f"{current.end:%m/%d/%Y}" if current else "none"
                changes.append(f"current cycle end: {old} → "
                               f"{date.fromisoformat(row.cycle_end):%m/%d/%Y}")
        if row.email and person.email.lower() != row.email:
            entry["email_differs"] = True  # the person's own address stays (decisions.md)
        planned.append({**entry, "action": UPDATE if changes else UNCHANGED, "why": [],
                        "changes": changes})
    return planned


def summary(planned: list[dict]) -> dict[str, int]:
    counted = dict.fromkeys(ACTIONS, 0)
    for row in planned:
        counted[row["action"]] += 1
    return counted


def open_cycle(certification: Certification) -> Cycle | None:
    return (Cycle.objects.filter(certification=certification, closed_at__isnull=True)
            .order_by("-number").first())
