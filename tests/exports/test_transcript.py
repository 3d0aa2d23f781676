"""Transcripts: the .xlsx, CSV and PDF exports and the print view, read back and checked."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from recert.core.actions.certifications import do_create_certification
from recert.core.actions.credits import do_create_credit_entry
from recert.core.evaluation import standing_of
from recert.exports import transcript as tx

TODAY = date(2026, 6, 1)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def log(professional, **fields):
    defaults = {"awarded_by": "OTHER", "unit": "hour", "format": "workshop"}
    return do_create_credit_entry(professional, actor=professional.user, **(defaults | fields))


@pytest.fixture
def alice_ace(alice, programs, sam):
    """Alice's ACE PT, certified 2025-01-10 (cycle to 2027-01-31)."""
    return do_create_certification(alice, programs[("ACE", "PT")], date(2025, 1, 10), actor=sam,
                                   cpr_aed_valid_until=date(2027, 6, 30))


@pytest.fixture
def alice_record(alice, alice_cpt, alice_ace):
    return {
        "old": log(alice, earned_on=date(2024, 6, 1), title="Before any cycle",
                   amount=Decimal("3")),
        "workshop": log(alice, earned_on=date(2026, 1, 10), title="Kettlebell Workshop",
                        amount=Decimal("5"), provider="Iron Works"),
        "nasm": log(alice, earned_on=date(2026, 2, 3), title="Strength Summit",
                    format="conference", amount=Decimal("1.5"), unit="ceu", awarded_by="NASM",
                    provider="NASM"),
        "formula": log(alice, earned_on=date(2026, 3, 1), title="=HYPERLINK(\"x\")",
                       amount=Decimal("2")),
    }


def expected(alice, certification, entry):
    """The engine's own verdict, to compare the exports with."""
    result = standing_of(alice, TODAY).evaluation.certification(str(certification.pk))
    return result, result.credit(str(entry.pk))


# -- pure builders ----------------------------------------------------------------------------

@time_machine.travel(TODAY)
def test_xlsx_is_a_typed_spreadsheet(alice, alice_cpt, alice_ace, alice_record):
    standing = standing_of(alice, TODAY)
    book = load_workbook(io.BytesIO(tx.xlsx_of(standing, "Alice Archer", tx.ALL)))
    assert book.sheetnames == ["All entries", "ACE PT", "ACSM CPT"]

    sheet = book["All entries"]
    header = [c.value for c in sheet[1]]
    assert header[:7] == ["Date earned", "Date reported", "Course name", "Provider",
                          "Course number", "Format", "Amount"]
    assert "ACSM CPT counted" in header and "ACE PT outcome" in header
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width >= len("Kettlebell Workshop")
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 4
    assert [r[2] for r in rows][0] == "Before any cycle"  # oldest first
    nasm = next(r for r in rows if r[2] == "Strength Summit")
    assert isinstance(nasm[0], datetime) and nasm[0].date() == date(2026, 2, 3)
    assert nasm[6] == 1.5 and isinstance(nasm[6], float)
    _, acsm_nasm = expected(alice, alice_cpt, alice_record["nasm"])
    assert nasm[header.index("ACSM CPT counted")] == float(acsm_nasm.counted) == 15
    # A course name that looks like a formula stays text.
    formula = next(r for r in rows if str(r[2]).startswith("="))
    assert formula[2] == '=HYPERLINK("x")'
    cell = sheet.cell(row=2, column=1)
    assert cell.number_format == "yyyy-mm-dd" and cell.is_date
    assert sheet.cell(row=2, column=7).number_format == tx.NUMBER_FORMAT

    cpt = book["ACSM CPT"]
    assert "Certified Personal Trainer" in cpt["A1"].value and "Alice Archer" in cpt["A1"].value
    assert cpt["B2"].value == datetime(2025, 3, 15) and cpt["D2"].value == datetime(2028, 12, 31)
    result, _ = expected(alice, alice_cpt, alice_record["nasm"])
    assert cpt["B3"].value == float(result.required) and cpt["D3"].value == float(result.earned)
    assert cpt["F2"].value == result.status.replace("_", " ")
    assert cpt.freeze_panes == "A7"
    header = [c.value for c in cpt[6]]
    assert header[-4:] == ["Converted", "Counted", "Outcome", "Rules"]
    lines = {r[2]: r for r in cpt.iter_rows(min_row=7, values_only=True)}
    assert set(lines) == {"Before any cycle", "Kettlebell Workshop", "Strength Summit",
                          '=HYPERLINK("x")'}
    assert lines["Strength Summit"][-4:] == (15, 15, "accepted", "ACSM-CONV-DECIMAL")
    _, old = expected(alice, alice_cpt, alice_record["old"])
    assert lines["Before any cycle"][-2] == old.outcome.replace("_", " ")
    assert lines["Before any cycle"][-1] == ", ".join(old.rules)


@time_machine.travel(TODAY)
def test_current_cycle_keeps_entries_inside_each_cycle(alice, alice_cpt, alice_ace,
                                                       alice_record):
    standing = standing_of(alice, TODAY)
    book = load_workbook(io.BytesIO(tx.xlsx_of(standing, "Alice Archer", tx.CYCLE)))
    titles = [r[2] for r in book["All entries"].iter_rows(min_row=2, values_only=True)]
    assert "Before any cycle" not in titles and "Strength Summit" in titles
    assert book["ACSM CPT"]["D4"].value == "Current cycle"


def test_sheet_names_are_excel_safe_and_unique():
    class Named:
        def __init__(self, name):
            self.name = name

    names = tx.sheet_names([Named("ACSM CPT"), Named("ACSM CPT"), Named("A/B:C*" + "x" * 40),
                            Named("all entries")])
    assert names[0] == "ACSM CPT" and names[1] == "ACSM CPT (2)"
    assert all(len(n) <= 31 for n in names) and not any(c in names[2] for c in "/:*")
    assert names[3] == "all entries (2)"
    assert len({n.lower() for n in names}) == len(names)


@time_machine.travel(TODAY)
def test_csv_has_bom_and_one_row_per_entry_per_certification(alice, alice_cpt, alice_ace,
                                                             alice_record):
    data = tx.csv_of(standing_of(alice, TODAY), "Alice Archer", tx.ALL)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 4 * 2
    summit = [r for r in rows if r["Course name"] == "Strength Summit"]
    assert {r["Certification"] for r in summit} == {"ACSM CPT", "ACE PT"}
    acsm = next(r for r in summit if r["Certification"] == "ACSM CPT")
    assert (acsm["Date earned"], acsm["Amount"], acsm["Converted"], acsm["Counted"]) == (
        "2026-02-03", "1.5", "15", "15")
    assert acsm["Cycle start"] == "2025-03-15" and acsm["Cycle end"] == "2028-12-31"
    assert acsm["Rules"] == "ACSM-CONV-DECIMAL"
    # A formula-looking value is defused.
    assert any(r["Course name"] == "'=HYPERLINK(\"x\")" for r in rows)


@time_machine.travel(TODAY)
def test_csv_without_certifications_still_lists_entries(alice):
    log(alice, earned_on=date(2026, 1, 10), title="Zoë's workshop", amount=Decimal("2"))
    data = tx.csv_of(standing_of(alice, TODAY), "Alice Archer", tx.ALL)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["Course name"] for r in rows] == ["Zoë's workshop"]
    assert rows[0]["Certification"] == ""


# -- views -----------------------------------------------------------------------------------

@time_machine.travel(TODAY)
def test_transcript_page_lists_the_choices(client, alice, alice_record):
    client.force_login(alice.user)
    response = client.get(reverse("exports:transcript"))
    assert response.status_code == 200
    body = response.content.decode()
    for scope in ("all", "cycle"):
        for fmt in ("xlsx", "csv", "pdf"):
            assert reverse("exports:transcript_download", args=[scope, fmt]) in body
        assert reverse("exports:transcript_print", args=[scope]) in body
    assert "Print your record" in body


@time_machine.travel(TODAY)
def test_xlsx_download_headers(client, alice, alice_record):
    client.force_login(alice.user)
    response = client.get(reverse("exports:transcript_download", args=["all", "xlsx"]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == (
        'attachment; filename="recert-transcript-alice-archer-all-2026-06-01.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["All entries", "ACE PT", "ACSM CPT"]


@time_machine.travel(TODAY)
def test_csv_download_headers(client, alice, alice_record):
    client.force_login(alice.user)
    response = client.get(reverse("exports:transcript_download", args=["cycle", "csv"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="recert-transcript-alice-archer-cycle-2026-06-01.csv"' in (
        response["Content-Disposition"])
    assert b"Kettlebell Workshop" in response.content
    assert b"Before any cycle" not in response.content


def pdf_strings(content: bytes) -> bytes:
    """The PDF with every compressed stream inflated (metadata may sit in an object stream)."""
    import re
    import zlib

    parts = [content]
    for match in re.finditer(rb"stream\r?\n", content):
        try:
            parts.append(zlib.decompressobj().decompress(content[match.end():]))
        except zlib.error:
            continue
    return b"\n".join(parts)


def pdf_text(transcript) -> str:
    """The text WeasyPrint laid out on the pages (no PDF text extractor is installed)."""
    from recert.exports.views import transcript_document

    words = []

    def walk(box):
        text = getattr(box, "text", None)
        if isinstance(text, str):
            words.append(text)
        for child in getattr(box, "children", []) or []:
            walk(child)

    for page in transcript_document(transcript).pages:
        walk(page._page_box)
    return " ".join(words)


@time_machine.travel(TODAY)
def test_pdf_download(client, alice, alice_cpt, alice_record):
    client.force_login(alice.user)
    response = client.get(reverse("exports:transcript_download", args=["all", "pdf"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="recert-transcript-')
    assert response.content.startswith(b"%PDF")
    # The document title carries the name into the PDF's metadata.
    inflated = pdf_strings(response.content)
    assert b"Alice Archer" in inflated or "Alice Archer".encode("utf-16-be") in inflated
    text = pdf_text(tx.build_transcript(standing_of(alice, TODAY), "Alice Archer", tx.ALL))
    for expected_text in ("Alice Archer", "ACSM Certified Personal Trainer", "03/15/2025",
                          "12/31/2028", "Strength Summit", "ACSM-CONV-DECIMAL",
                          "rejected", "active"):
        assert expected_text in text, expected_text


@time_machine.travel(TODAY)
def test_print_view_shows_everything(client, alice, alice_cpt, alice_ace, alice_record):
    client.force_login(alice.user)
    response = client.get(reverse("exports:transcript_print", args=["all"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alice Archer" in body and "exports/print.css" in body
    assert "ACSM Certified Personal Trainer" in body and "ACE" in body
    result, line = expected(alice, alice_cpt, alice_record["nasm"])
    assert f"{result.earned.normalize():f} of {result.required.normalize():f} required" in body
    assert "ACSM-CONV-DECIMAL" in body and "rejected" in body
    assert "03/15/2025 – 12/31/2028" in body


def test_print_stylesheet_has_print_rules():
    from django.contrib.staticfiles import finders

    css = open(finders.find("exports/print.css")).read()
    assert "@media print" in css and ".site-header" in css


# -- who may see what ------------------------------------------------------------------------

URLS = [("exports:transcript", []), ("exports:transcript_print", ["all"]),
        ("exports:transcript_download", ["all", "xlsx"]),
        ("exports:transcript_download", ["cycle", "csv"]),
        ("exports:transcript_download", ["all", "pdf"])]


@pytest.mark.parametrize(("name", "args"), URLS)
def test_anonymous_is_sent_to_login(client, db, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@time_machine.travel(TODAY)
@pytest.mark.parametrize(("name", "args"), URLS)
def test_bob_gets_only_his_own(client, bob, alice_record, name, args):
    client.force_login(bob.user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    content = response.content
    assert b"Alice" not in content and b"Kettlebell" not in content and b"Summit" not in content
    if args and args[-1] == "xlsx":
        book = load_workbook(io.BytesIO(content))
        assert book.sheetnames == ["All entries"] and book["All entries"].max_row == 1


@pytest.mark.parametrize("path", ["/transcript/everything.xlsx", "/transcript/all.docx",
                                  "/transcript/other/print/"])
def test_unknown_scope_or_format_is_404(client, alice, path):
    client.force_login(alice.user)
    assert client.get(path).status_code == 404


def test_staff_without_profile_gets_404(client, sam):
    client.force_login(sam)
    assert client.get(reverse("exports:transcript")).status_code == 404
    assert client.get(reverse("exports:transcript_download", args=["all", "xlsx"])).status_code \
        == 404


# -- queries ---------------------------------------------------------------------------------

@time_machine.travel(TODAY)
@pytest.mark.parametrize(("name", "args"), URLS)
def test_query_count_does_not_grow_with_entries(client, alice, alice_cpt, alice_ace, name, args,
                                                django_assert_num_queries):
    client.force_login(alice.user)
    for i in range(3):
        log(alice, earned_on=date(2026, 1, 1 + i), title=f"Course {i}", amount=Decimal("1"))
    client.get(reverse(name, args=args))  # warm caches (policies, content types, evaluation)
    # session, user, professional, certifications, open cycles, credits; the evaluation from
    # the cache; pages (not downloads) also ask whether to show the Staff menu entry
    queries = {"exports:transcript": 4, "exports:transcript_print": 7}.get(name, 6)
    with django_assert_num_queries(queries):
        assert client.get(reverse(name, args=args)).status_code == 200
    for i in range(27):
        log(alice, earned_on=date(2026, 2, 1 + i % 28), title=f"More {i}", format="webinar",
            amount=Decimal("0.5"))
    # The log changed: the evaluation is built again (the credits as values, their
    # decisions, late renewals' claims: three more queries), then cached.
    missed = queries if name == "exports:transcript" else queries + 3
    with django_assert_num_queries(missed):
        assert client.get(reverse(name, args=args)).status_code == 200
    with django_assert_num_queries(queries):
        assert client.get(reverse(name, args=args)).status_code == 200
