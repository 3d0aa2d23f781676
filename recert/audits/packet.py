"""The audit's exports: a case's packet (one PDF: the claimed credits, the outcome of each
with its reason, the documents embedded when they are images and listed otherwise; and a
zip of the original files), and the audit's summary (counts per stratum and outcome) as
xlsx."""

from __future__ import annotations

import base64
import io
import zipfile

from django.template.loader import render_to_string
from django.utils import timezone

from recert.audits.models import Audit, AuditCase
from recert.core.documents import download_name

IMAGE_TYPES = ("image/jpeg", "image/png")


def _items(case: AuditCase):
    return list(case.items.select_related("credit_entry", "reviewed_by",
                                          "appeal_decided_by")
                .prefetch_related("documents", "appeal_documents"))


def _data_uri(document) -> str:
    with document.file.open("rb") as f:
        return f"data:{document.content_type};base64,{base64.b64encode(f.read()).decode()}"


def packet_html(case: AuditCase) -> str:
    rows = []
    for item in _items(case):
        documents = []
        for d in [*item.documents.all(), *item.appeal_documents.all()]:
            documents.append({"document": d, "name": download_name(d),
                              "image": _data_uri(d) if d.content_type in IMAGE_TYPES else ""})
        rows.append({"item": item, "documents": documents})
    return render_to_string("audits/packet_pdf.html", {
        "case": case, "rows": rows, "made_at": timezone.now()})


def packet_pdf(case: AuditCase) -> bytes:
    from weasyprint import HTML  # imported late: heavy, and only needed here

    return HTML(string=packet_html(case)).write_pdf()


def files_zip(case: AuditCase) -> bytes:
    """The original files of the case, named by credit and document (never the uploaded
    name), with a manifest of what each is."""
    buffer = io.BytesIO()
    manifest = ["file\tcredit\ttitle\toriginal name\tsha256"]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in _items(case):
            for d in [*item.documents.all(), *item.appeal_documents.all()]:
                name = download_name(d)
                with d.file.open("rb") as f:
                    archive.writestr(name, f.read())
                manifest.append("\t".join([name, str(item.credit_entry_id),
                                           item.credit_entry.title.replace("\t", " "),
                                           d.original_name.replace("\t", " "), d.sha256]))
        archive.writestr("manifest.tsv", "\n".join(manifest) + "\n")
    return buffer.getvalue()


def summary_rows(audit: Audit) -> list[list]:
    statuses = [s for s, _ in AuditCase.STATUSES]
    counts: dict[str, dict[str, int]] = {}
    for stratum, status in audit.cases.values_list("stratum", "status"):
        row = counts.setdefault(stratum, {})
        row[status] = row.get(status, 0) + 1
    rows = [["Program", "Renewals", "Selected", *[dict(AuditCase.STATUSES)[s]
                                                  for s in statuses]]]
    for s in audit.strata:
        got = counts.get(s["program"], {})
        rows.append([s["program"], s["population"], len(s["selected"]),
                     *[got.get(status, 0) for status in statuses]])
    rows.append(["Total", audit.population_count, audit.selected_count,
                 *[sum(r[3 + i] for r in rows[1:]) for i in range(len(statuses))]])
    return rows


def summary_xlsx(audit: Audit) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = f"{audit.body.code} {audit.year}"[:31]
    sheet.append([f"{audit} — renewals of {audit.population_year}, seed {audit.seed}, "
                  f"rate {audit.rate.normalize():f}"])
    for row in summary_rows(audit):
        sheet.append(row)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
