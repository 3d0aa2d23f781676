"""The body's reports (issue 12): each one grouped and summed by the database (GROUP BY,
no loop over professionals), with totals from their own aggregate query, so a test can
check that the totals equal the rows. Shown as a table and an SVG chart, downloaded as CSV
or xlsx with the same numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Case, CharField, Count, F, Sum, Value, When
from django.db.models.functions import TruncMonth

from recert.audits.models import AuditCase
from recert.core import words
from recert.core.models import Certification, CertifyingBody, CreditEntry, Cycle
from recert.core.models.staff import FINANCE
from recert.renewals.models import InvoiceLine, RenewalItem
from recert.rules import model as rules_model

ZERO = Decimal("0.00")
# A cell that starts with one of these is read as a formula by spreadsheets (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Table:
    """Rows (a label and one number per column), the row totals and the column totals."""

    row_label: str
    columns: list[tuple[str, str]]  # (key, label)
    rows: list[tuple[str, list]] = field(default_factory=list)
    totals: list = field(default_factory=list)  # per column, from their own query
    total: object = 0  # the grand total, from its own query
    money: bool = False
    note: str = ""

    def row_totals(self) -> list:
        return [sum(values, self._zero()) for _, values in self.rows]

    def _zero(self):
        return ZERO if self.money else 0

    def header(self) -> list[str]:
        return [self.row_label, *[label for _, label in self.columns], "Total"]

    def lines(self) -> list[list]:
        """Every line of a download: the header, the rows with their totals, the totals."""
        out = [self.header()]
        for (label, values), total in zip(self.rows, self.row_totals(), strict=True):
            out.append([label, *values, total])
        out.append(["Total", *self.totals, self.total])
        return out


@dataclass(frozen=True)
class Report:
    key: str
    title: str
    role: str | None  # None: any staff role of the body (the viewer's reading)
    describe: str
    build: Callable[[CertifyingBody, date, date, date], Table]


# --- the queries --------------------------------------------------------------------------


def _month(day) -> str:
    return f"{day:%Y-%m}"


def _pivot(table: Table, grouped, row_key: str, column_key: str, value_key: str,
           row_text: Callable = str) -> Table:
    """Fill `table.rows` from GROUP BY results [{row_key, column_key, value_key}]: one
    line per group, not per professional."""
    keys = [k for k, _ in table.columns]
    by_row: dict = {}
    for group in grouped:
        row = by_row.setdefault(group[row_key], [table._zero()] * len(keys))
        if group[column_key] in keys:
            row[keys.index(group[column_key])] = group[value_key] or table._zero()
    table.rows = [(row_text(k), v) for k, v in sorted(by_row.items(), key=lambda kv: kv[0])]
    return table


def _totals(table: Table, grouped, column_key: str, value_key: str, total) -> Table:
    keys = [k for k, _ in table.columns]
    table.totals = [table._zero()] * len(keys)
    for group in grouped:
        if group[column_key] in keys:
            table.totals[keys.index(group[column_key])] = group[value_key] or table._zero()
    table.total = total or table._zero()
    return table


RENEWED_REASONS = ("renewed", "exam", "reinstated")


def renewals_due(body: CertifyingBody, start: date, end: date, today: date) -> Table:
    """Cycles of the body's certifications ending in the period, by month of their end:
    renewed (closed by a renewal, an exam or staff), lapsed, overdue (open, past their end)
    or still due."""
    table = Table("Month the cycle ends", [
        ("renewed", "Renewed"), ("overdue", "Overdue"), ("lapsed", "Lapsed"),
        ("due", "Due")])
    cycles = Cycle.objects.filter(
        certification__program__body=body, certification__deleted_at__isnull=True,
        end__gte=start, end__lte=end).annotate(state=Case(
            When(closed_reason__in=RENEWED_REASONS, then=Value("renewed")),
            When(closed_reason="lapsed", then=Value("lapsed")),
            When(closed_at__isnull=True, end__lt=today, then=Value("overdue")),
            When(closed_at__isnull=True, then=Value("due")),
            default=Value("other"), output_field=CharField()))
    _pivot(table, cycles.annotate(month=TruncMonth("end")).values("month", "state")
           .annotate(n=Count("id")).order_by(), "month", "state", "n", _month)
    return _totals(table, cycles.values("state").annotate(n=Count("id")).order_by(),
                   "state", "n", cycles.filter(state__in=[k for k, _ in table.columns])
                   .count())


def renewals_completed(body: CertifyingBody, start: date, end: date, today: date) -> Table:
    """Certifications renewed by the body's completed renewals, by month of completion and
    program (a renewal of several certifications counts each)."""
    programs = list(body.programs.order_by("code").values_list("code", flat=True))
    table = Table("Month completed", [(code, code) for code in programs])
    items = RenewalItem.objects.filter(
        renewal__body=body, renewal__status="completed", active=True,
        renewal__completed_at__date__gte=start, renewal__completed_at__date__lte=end)
    _pivot(table, items.annotate(month=TruncMonth("renewal__completed_at"),
                                 program=F("certification__program__code"))
           .values("month", "program").annotate(n=Count("id")).order_by(),
           "month", "program", "n", _month)
    return _totals(table, items.annotate(program=F("certification__program__code"))
                   .values("program").annotate(n=Count("id")).order_by(),
                   "program", "n", items.count())


def revenue(body: CertifyingBody, start: date, end: date, today: date) -> Table:
    """Money received for the body's renewals, by month of the payment and fee type (the
    invoice lines of paid invoices)."""
    table = Table("Month paid", [(k, str(label).capitalize()) for k, label in
                                 InvoiceLine.Kind.choices], money=True)
    lines = InvoiceLine.objects.filter(
        invoice__renewal__body=body, invoice__status="paid",
        invoice__payment__received_at__date__gte=start,
        invoice__payment__received_at__date__lte=end)
    _pivot(table, lines.annotate(month=TruncMonth("invoice__payment__received_at"))
           .values("month", "kind").annotate(amount=Sum("amount")).order_by(),
           "month", "kind", "amount", _month)
    return _totals(table, lines.values("kind").annotate(amount=Sum("amount")).order_by(),
                   "kind", "amount", lines.aggregate(s=Sum("amount"))["s"])


def certifications(body: CertifyingBody, start: date, end: date, today: date) -> Table:
    """The body's certifications held by the period's end, by program and status today."""
    table = Table("Program", words.choices(words.STATUSES, rules_model.STATUSES),
                  note="Status as of today, of the certifications earned by the period's end.")
    certs = Certification.objects.filter(program__body=body, certified_on__lte=end)
    _pivot(table, certs.values("program__code", "status").annotate(n=Count("id")).order_by(),
           "program__code", "status", "n")
    return _totals(table, certs.values("status").annotate(n=Count("id")).order_by(),
                   "status", "n", certs.filter(status__in=rules_model.STATUSES).count())


def credits(body: CertifyingBody, start: date, end: date, today: date) -> Table:
    """Credit entries earned in the period by the body's professionals, by format and by
    who entered them (the professional, a provider, staff)."""
    table = Table("Format", [(k, str(label).capitalize()) for k, label in CreditEntry.SOURCES])
    people = Certification.objects.filter(program__body=body).values("professional_id")
    entries = CreditEntry.objects.filter(professional_id__in=people, earned_on__gte=start,
                                         earned_on__lte=end)
    _pivot(table, entries.values("format", "source").annotate(n=Count("id")).order_by(),
           "format", "source", "n", lambda f: words.words(f, words.FORMATS))
    return _totals(table, entries.values("source").annotate(n=Count("id")).order_by(),
                   "source", "n", entries.count())


def audit_outcomes(body: CertifyingBody, start: date, end: date, today: date) -> Table:
    """Audit cases of the body's audits noticed in the period, by stratum (program) and
    where each stands."""
    table = Table("Program (stratum)", [(k, str(label).capitalize())
                                        for k, label in AuditCase.STATUSES])
    cases = AuditCase.objects.filter(audit__body=body, audit__notice_on__gte=start,
                                     audit__notice_on__lte=end)
    _pivot(table, cases.values("stratum", "status").annotate(n=Count("id")).order_by(),
           "stratum", "status", "n")
    return _totals(table, cases.values("status").annotate(n=Count("id")).order_by(),
                   "status", "n", cases.count())


REPORTS = {r.key: r for r in (
    Report("renewals-due", "Renewals due and overdue by month", None,
           "Cycles ending in the period, by month: renewed, overdue, lapsed or still due.",
           renewals_due),
    Report("renewals-completed", "Renewals completed", None,
           "Certifications renewed by month of completion and program.", renewals_completed),
    Report("revenue", "Revenue by month and fee type", FINANCE,
           "Payments received for renewals, by month and fee type.", revenue),
    Report("certifications", "Certifications by status and program", None,
           "Every certification earned by the period's end, by program and status today.",
           certifications),
    Report("credits", "Credits by format and source", None,
           "Credit entries earned in the period, by format and who entered them.", credits),
    Report("audit-outcomes", "Audit outcomes", None,
           "Audit cases noticed in the period, by program and outcome.", audit_outcomes),
)}


# --- downloads ----------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell as CSV text: numbers as written, text that a spreadsheet would run as a
    formula quoted with a leading apostrophe."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def as_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for line in table.lines():
        writer.writerow([cell_text(v) for v in line])
    return out.getvalue().encode("utf-8")


def as_xlsx(table: Table, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31].replace("/", " ")
    lines = table.lines()
    for r, line in enumerate(lines, start=1):
        for c, value in enumerate(line, start=1):
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, str):
                cell.value = value
                cell.data_type = "s"  # text, never a formula
            else:
                cell.value = value
                if table.money:
                    cell.number_format = "#,##0.00"
            if r in (1, len(lines)):
                cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- the chart ----------------------------------------------------------------------------

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 64
PALETTE = ("#1f6f8b", "#e0a526", "#b3413b", "#5c8a3a", "#7a5c99", "#6b6b6b")


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    fill: str
    title: str


@dataclass(frozen=True)
class Label:
    x: str
    y: str
    text: str


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    x_labels: list[Label] = field(default_factory=list)
    y_ticks: list[Label] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour, label)
    baseline: str = ""
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT


def _n(value) -> str:
    return f"{float(value):.1f}"


def _nice(top) -> Decimal:
    top = Decimal(top)
    if top <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(top))) - 1)
    for step in (1, 2, 5, 10):
        if top <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def chart(table: Table) -> Chart:
    """Stacked bars: one per row, one segment per column (SVG attributes only, no style)."""
    result = Chart(legend=[(PALETTE[i % len(PALETTE)], label)
                           for i, (_, label) in enumerate(table.columns)])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    result.baseline = _n(TOP + plot_h)
    top = _nice(max(table.row_totals(), default=0))
    for i in range(3):
        value = top * i / 2
        result.y_ticks.append(Label(_n(LEFT - 6), _n(TOP + plot_h - plot_h * value / top),
                                    f"{value.normalize():f}"))
    if not table.rows:
        return result
    slot = Decimal(plot_w) / len(table.rows)
    bar_w = slot * Decimal("0.7")
    for r, (label, values) in enumerate(table.rows):
        x = LEFT + slot * r + (slot - bar_w) / 2
        y = Decimal(TOP + plot_h)
        for c, value in enumerate(values):
            if not value:
                continue
            h = Decimal(plot_h) * Decimal(value) / top
            y -= h
            result.bars.append(Bar(_n(x), _n(y), _n(bar_w), _n(h),
                                   PALETTE[c % len(PALETTE)],
                                   f"{label}, {table.columns[c][1]}: {cell_text(value)}"))
        result.x_labels.append(Label(_n(x + bar_w / 2), _n(TOP + plot_h + 14), label))
    return result
