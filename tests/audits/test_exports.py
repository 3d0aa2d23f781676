"""The audit's exports: a case's packet (PDF with the credits, outcomes and documents; a zip
of the original files with a manifest) and the audit's summary per stratum and outcome."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from tests.audits.conftest import NOTICE_ON, PNG, at
from tests.audits.test_paths import review, submit, upload_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(client, alice, ann, case, alice_renewed):
    client.force_login(alice.user)
    with at(NOTICE_ON):
        upload_all(client, case, name="scan.png", content=PNG)
        submit(client, case)
    return review(ann, case, NOTICE_ON + timedelta(days=2),
                  rejected={alice_renewed[1][0].pk}, reason="length_not_shown")


def test_packet_html_says_what_was_decided_and_why(reviewed):
    from recert.audits.packet import packet_html

    html = packet_html(reviewed)
    assert "The length or the CECs awarded are not shown" in html
    assert html.count("data:image/png;base64,") == 3
    assert "Only the provider&#x27;s name shows." in html


def test_packet_pdf_zip_and_summary_downloads(client, ann, reviewed):
    client.force_login(ann)
    pdf = client.get(f"/staff/audits/cases/{reviewed.pk}/packet.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    files = client.get(f"/staff/audits/cases/{reviewed.pk}/files.zip")
    archive = zipfile.ZipFile(io.BytesIO(files.content))
    names = archive.namelist()
    assert "manifest.tsv" in names and len(names) == 4
    assert all(n.endswith(".png") for n in names if n != "manifest.tsv")
    assert "scan.png" in archive.read("manifest.tsv").decode()
    sheet = load_workbook(io.BytesIO(client.get(
        f"/staff/audits/{reviewed.audit_id}/summary.xlsx").content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    header, cpt, total = rows
    assert header[:3] == ["Program", "Renewals", "Selected"]
    assert cpt[:3] == ["CPT", 1, 1]
    assert dict(zip(header[3:], cpt[3:], strict=True))["replacement period"] == 1
    assert total[0] == "Total"
