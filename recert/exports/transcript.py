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
from functools import cache

import xlsxwriter

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


@cache
def _labels() -> dict[str, dict]:
    """The choices' labels, looked up once rather than `get_FOO_display()` per cell (a third
    of the xlsx's time at 1,000 entries). English only, as the project is."""
    return {name: {value: str(label) for value, label
                   in CreditEntry._meta.get_field(name).flatchoices}
            for name in ("format", "unit", "credit_type")}


def entry_values(entry: CreditEntry) -> list:
    labels = _labels()
    # An unknown stored value shows as itself, as `get_FOO_display()` does.
    return [entry.earned_on, entry.reported_on, entry.title, entry.provider,
            entry.course_number, labels["format"].get(entry.format, entry.format), entry.amount,
            labels["unit"].get(entry.unit, entry.unit), entry.awarded_by,
            labels["credit_type"].get(entry.credit_type, entry.credit_type)]


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


class _Sheet:
    """One worksheet written with XlsxWriter, row by row (0-based rows and columns, as
    XlsxWriter counts). XlsxWriter writes a 1,000-entry transcript (about 60,000 cells) in a
    fifth of openpyxl's time (docs/decisions.md, issue 16, nightly)."""

    def __init__(self, workbook: xlsxwriter.Workbook, name: str, formats: dict):
        self.ws = workbook.add_worksheet(name)
        self.formats = formats

    def put(self, row: int, column: int, value, bold: bool = False) -> None:
        ws, formats = self.ws, self.formats
        if value is None:
            return
        if isinstance(value, date):
            ws.write_datetime(row, column, value, formats["date"])
        elif isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            ws.write_number(row, column, float(value), formats["number"])
        else:
            # Always text: a course name that starts with "=" is not a formula.
            ws.write_string(row, column, str(value), formats["bold"] if bold else None)

    def table(self, first_row: int, headers: list[str], rows: list[list]) -> None:
        """The header on `first_row` (0-based), bold, then the rows; frozen under the header,
        with a filter, columns as wide as their widest value."""
        for column, header in enumerate(headers):
            self.put(first_row, column, header, bold=True)
        put = self.put
        for offset, values in enumerate(rows, start=first_row + 1):
            for column, value in enumerate(values):
                put(offset, column, value)
        self.ws.freeze_panes(first_row + 1, 0)
        self.ws.autofilter(first_row, 0, first_row + len(rows), len(headers) - 1)
        for column, header in enumerate(headers):
            widest = max([len(header)] + [_display_width(r[column]) for r in rows])
            self.ws.set_column(column, column, min(max(widest + 2, 8), 60))


def _display_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, date):
        return 10
    if isinstance(value, Decimal):
        return len(format(value.normalize(), "f")) + 2
    return len(str(value))


def transcript_xlsx(transcript: Transcript) -> bytes:
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    formats = {"date": workbook.add_format({"num_format": DATE_FORMAT}),
               "number": workbook.add_format({"num_format": NUMBER_FORMAT}),
               "bold": workbook.add_format({"bold": True})}
    big = workbook.add_format({"bold": True, "font_size": 14})
    names = sheet_names(transcript.sections)

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
    _Sheet(workbook, "All entries", formats).table(0, headers, rows)

    for section, name in zip(transcript.sections, names, strict=True):
        sheet = _Sheet(workbook, name, formats)
        result = section.result
        sheet.ws.write_string(0, 0, f"{section.title} — {transcript.professional_name}", big)
        for row, labels_and_values in enumerate((
                ["Cycle start", result.cycle.start, "Cycle end", result.cycle.end,
                 "Status", words(result.status)],
                ["Required", result.required, "Earned", result.earned,
                 "Remaining", result.remaining],
                ["As of", transcript.as_of, "Showing", transcript.scope_label]), start=1):
            for column, value in enumerate(labels_and_values):
                sheet.put(row, column, value, bold=column % 2 == 0)
        rows = [entry_values(line.entry) + line_values(line.result) for line in section.lines]
        sheet.table(5, ENTRY_HEADERS + LINE_HEADERS, rows)

    workbook.set_properties({"title": f"CEC transcript of {transcript.professional_name}",
                             "author": "Recert"})
    workbook.close()
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
