"""A professional's transcript: the engine's Standing laid out as rows, then as .xlsx or CSV bytes.

Pure of HTTP: give it a Standing (from `recert.core.evaluation.standing_of`) and get bytes.
Every number is the engine's (converted, counted, earned, required); nothing is recomputed.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from recert.core.evaluation import Standing
from recert.core.models import Certification, CreditEntry
from recert.rules.model import CertificationResult, CreditResult

ALL = "all"
CYCLE = "cycle"
SCOPES = {ALL: "All credits", CYCLE: "Current cycle"}

DATE_FORMAT = "yyyy-mm-dd"
NUMBER_FORMAT = "#,##0.0##"
SHEET_NAME_MAX = 31  # Excel's limit
# Characters Excel refuses in a sheet name.
SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
# A cell that starts with one of these is read as a formula by Excel (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def words(value: str) -> str:
    return str(value).replace("_", " ")


def certification_name(certification: Certification) -> str:
    """"ACSM Certified Personal Trainer": the body's code once, whatever the program's name."""
    program = certification.program
    if program.name.split(" ", 1)[0] == program.body.code:
        return program.name
    return f"{program.body.code} {program.name}"


@dataclass(frozen=True)
class Line:
    """One credit entry as it counted for one certification."""

    entry: CreditEntry
    result: CreditResult

    @property
    def rules(self) -> str:
        return ", ".join(self.result.rules)


@dataclass(frozen=True)
class Section:
    """One certification, its cycle and standing, and the entries shown under it."""

    certification: Certification
    result: CertificationResult
    lines: list[Line]

    @property
    def name(self) -> str:
        program = self.certification.program
        return f"{program.body.code} {program.code}"

    @property
    def title(self) -> str:
        return certification_name(self.certification)


@dataclass(frozen=True)
class Transcript:
    professional_name: str
    as_of: date
    scope: str
    entries: list[CreditEntry]
    sections: list[Section]

    @property
    def scope_label(self) -> str:
        return SCOPES[self.scope]



def build_transcript(standing: Standing, professional_name: str, scope: str = ALL) -> Transcript:
    """Lay the standing out. *Current cycle* keeps, per certification, the entries earned
    inside the cycle the engine reported; *All entries* then lists those inside any of them."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {sorted(SCOPES)}, not {scope!r}")
    entries_by_id = {str(e.pk): e for e in standing.credits}
    # Oldest first: a transcript reads like a history.
    order = {str(e.pk): i for i, e in enumerate(standing.credits)}
    sections = []
    for certification, result in standing.rows():
        if result is None:
            continue
        lines = [Line(entries_by_id[r.id], r) for r in result.credits if r.id in entries_by_id]
        if scope == CYCLE:
            lines = [line for line in lines if line.entry.earned_on in result.cycle]
        lines.sort(key=lambda line: order[str(line.entry.pk)])
        sections.append(Section(certification, result, lines))
    if scope == CYCLE:
        shown = {line.entry.pk for s in sections for line in s.lines}
        entries = [e for e in standing.credits if e.pk in shown]
    else:
        entries = list(standing.credits)
    return Transcript(professional_name, standing.evaluation.as_of, scope, entries, sections)


# -- columns ---------------------------------------------------------------------------------

ENTRY_HEADERS = ["Date earned", "Date reported", "Course name", "Provider", "Course number",
                 "Format", "Amount", "Unit", "Awarding organization", "Credit type"]


def entry_values(entry: CreditEntry) -> list:
    return [entry.earned_on, entry.reported_on, entry.title, entry.provider,
            entry.course_number, entry.get_format_display(), entry.amount,
            entry.get_unit_display(), entry.awarded_by, entry.get_credit_type_display()]


LINE_HEADERS = ["Converted", "Counted", "Outcome", "Rules"]


def line_values(result: CreditResult | None) -> list:
    if result is None:
        return [None, None, "", ""]
    return [result.converted, result.counted, words(result.outcome), ", ".join(result.rules)]


# -- .xlsx -----------------------------------------------------------------------------------

def sheet_names(sections: list[Section], reserved: tuple[str, ...] = ("All entries",)) -> list[str]:
    """Excel-safe, unique (case-insensitively, as Excel compares), at most 31 characters."""
    taken = {r.lower() for r in reserved}
    names = []
    for section in sections:
        base = SHEET_NAME_BAD.sub(" ", section.name).strip("' ")[:SHEET_NAME_MAX] or "Sheet"
        name, n = base, 1
        while name.lower() in taken:
            n += 1
            suffix = f" ({n})"
            name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        taken.add(name.lower())
        names.append(name)
    return names


def _put(ws, row: int, column: int, value) -> Cell:
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str) and value.startswith("="):
        # openpyxl would store it as a formula; a course name is text.
        cell.value = value
        cell.data_type = "s"
    else:
        cell.value = value
    if isinstance(value, date):
        cell.number_format = DATE_FORMAT
    elif isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        cell.number_format = NUMBER_FORMAT
    return cell


def _write_table(ws, first_row: int, headers: list[str], rows: list[list]) -> None:
    bold = Font(bold=True)
    for column, header in enumerate(headers, start=1):
        cell = _put(ws, first_row, column, header)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=False, vertical="bottom")
    for offset, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            _put(ws, first_row + offset, column, value)
    ws.freeze_panes = ws.cell(row=first_row + 1, column=1)
    last = get_column_letter(len(headers))
    ws.auto_filter.ref = f"A{first_row}:{last}{first_row + len(rows)}"
    _fit_columns(ws, headers, rows)


def _display_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, date):
        return 10
    if isinstance(value, Decimal):
        return len(format(value.normalize(), "f")) + 2
    return len(str(value))


def _fit_columns(ws, headers: list[str], rows: list[list]) -> None:
    for column, header in enumerate(headers, start=1):
        widest = max([len(header)] + [_display_width(r[column - 1]) for r in rows])
        ws.column_dimensions[get_column_letter(column)].width = min(max(widest + 2, 8), 60)


def transcript_xlsx(transcript: Transcript) -> bytes:
    workbook = Workbook()
    names = sheet_names(transcript.sections)

    ws = workbook.active
    ws.title = "All entries"
    headers = list(ENTRY_HEADERS)
    for name in names:
        headers += [f"{name} counted", f"{name} outcome"]
    by_section = [{line.entry.pk: line.result for line in s.lines} for s in transcript.sections]
    rows = []
    for entry in transcript.entries:
        values = entry_values(entry)
        for results in by_section:
            result = results.get(entry.pk)
            values += [result.counted if result else None,
                       words(result.outcome) if result else ""]
        rows.append(values)
    _write_table(ws, 1, headers, rows)

    bold, big = Font(bold=True), Font(bold=True, size=14)
    for section, name in zip(transcript.sections, names, strict=True):
        ws = workbook.create_sheet(name)
        result = section.result
        ws["A1"] = f"{section.title} — {transcript.professional_name}"
        ws["A1"].font = big
        for column, value in enumerate(["Cycle start", result.cycle.start, "Cycle end",
                                        result.cycle.end, "Status", words(result.status)],
                                       start=1):
            cell = _put(ws, 2, column, value)
            cell.font = bold if column % 2 else Font()
        for column, value in enumerate(["Required", result.required, "Earned", result.earned,
                                        "Remaining", result.remaining], start=1):
            cell = _put(ws, 3, column, value)
            cell.font = bold if column % 2 else Font()
        _put(ws, 4, 1, "As of").font = bold
        _put(ws, 4, 2, transcript.as_of)
        _put(ws, 4, 3, "Showing").font = bold
        _put(ws, 4, 4, transcript.scope_label)
        rows = [entry_values(line.entry) + line_values(line.result) for line in section.lines]
        _write_table(ws, 6, ENTRY_HEADERS + LINE_HEADERS, rows)

    workbook.properties.title = f"CEC transcript of {transcript.professional_name}"
    workbook.properties.creator = "Recert"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# -- CSV -------------------------------------------------------------------------------------

CSV_HEADERS = (["Certification", "Cycle start", "Cycle end"] + ENTRY_HEADERS + LINE_HEADERS)


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return "0" if value == 0 else format(value.normalize(), "f")
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text  # so a spreadsheet shows it instead of running it
    return text


def transcript_csv(transcript: Transcript) -> bytes:
    """One row per entry per certification (long format: filters and pivots well).

    An entry of someone with no certification yet still gets one row, with the
    certification columns empty.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    for section in transcript.sections:
        cycle = section.result.cycle
        for line in section.lines:
            writer.writerow(_csv_text(v) for v in [section.name, cycle.start, cycle.end]
                            + entry_values(line.entry) + line_values(line.result))
    if not transcript.sections:
        for entry in transcript.entries:
            writer.writerow(_csv_text(v) for v in ["", None, None] + entry_values(entry)
                            + line_values(None))
    # The BOM tells Excel the file is UTF-8 (names like "Zoë" stay intact).
    return out.getvalue().encode("utf-8-sig")


def xlsx_of(standing: Standing, professional_name: str, scope: str = ALL) -> bytes:
    return transcript_xlsx(build_transcript(standing, professional_name, scope))


def csv_of(standing: Standing, professional_name: str, scope: str = ALL) -> bytes:
    return transcript_csv(build_transcript(standing, professional_name, scope))
