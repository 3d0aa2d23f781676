"""Importing a body's registry export (issue 12): a realistic 1,000-row file with a handful
of bad rows, its dry run and commit (in the background, with progress), the same file
again changing nothing; xlsx as well as CSV; bad files refused with clear messages; claim
links by e-mail; every page and action refused to those who may not."""

from __future__ import annotations

import csv
import io
import random
from datetime import date

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from recert.core.actions.certifications import first_cycle
from recert.core.models import (
    Certification,
    CertifyingBody,
    History,
    MemberId,
    Professional,
    Program,
)
from recert.core.policies import following_cycle
from recert.staff.models import RegistryImport
from tests.staff.people import *  # noqa: F403

GIVEN = ["Ana", "Bilal", "Chloé", "Dmitri", "Esther", "Femi", "Gita", "Hamza", "Ines", "Jonas",
         "Keiko", "Lars", "Mónica", "Nikhil", "Olga", "Pedro", "Rania", "Sipho", "Tomás", "Yara"]
FAMILY = ["Abara", "Bergström", "Castillo", "Dubois", "Eze", "Fitzgerald", "García Márquez",
          "Hoang", "Ivanova", "Jaramillo", "Kowalczyk", "Lindqvist", "Mbeki", "Nakamura",
          "O'Connor", "Petrov", "Quispe", "Rossi", "Schmidt", "Van der Berg"]
HEADER = ["Member ID", "Family name", "Given names", "E-mail", "Program", "Certified on",
          "Current cycle end"]
BAD_LINES = {"bad date": 101, "unknown program": 202, "duplicate": (303, 304),
             "bad e-mail": 405, "no name": 506, "off schedule": 607}


def registry_rows(n: int = 1000) -> list[list[str]]:
    """A body's export as it comes: mixed programs, dates as MM/DD/YYYY and ISO, names with
    accents and particles, the current cycle on each certification's schedule, and a
    handful of bad rows at known lines (line = index + 2)."""
    rnd = random.Random(12)
    programs = list(Program.objects.filter(body__code="ACSM").select_related("body"))
    rows = []
    for i in range(n):
        program = programs[i % len(programs)]
        certified_on = date(2012, 1, 1).fromordinal(date(2012, 1, 1).toordinal()
                                                    + rnd.randrange(4500))
        start, end = first_cycle(program, certified_on)
        for _ in range(rnd.randrange(3)):
            following = following_cycle("ACSM", certified_on, start, end)
            start, end = following.start, following.end
        fmt = "%m/%d/%Y" if i % 3 else "%Y-%m-%d"
        rows.append([f"A{100000 + i}", rnd.choice(FAMILY), rnd.choice(GIVEN),
                     f"member{i}@example.org", program.code, certified_on.strftime(fmt),
                     end.strftime(fmt)])
    if n < 1000:
        return rows
    line = lambda n: n - 2  # noqa: E731
    rows[line(BAD_LINES["bad date"])][5] = "02/30/2019"
    rows[line(BAD_LINES["unknown program"])][4] = "ZUMBA"
    a, b = BAD_LINES["duplicate"]
    rows[line(b)][0] = rows[line(a)][0]
    rows[line(BAD_LINES["bad e-mail"])][3] = "not-an-email"
    rows[line(BAD_LINES["no name"])][1] = ""
    rows[line(BAD_LINES["no name"])][2] = ""
    rows[line(BAD_LINES["off schedule"])][6] = "06/15/2031"
    return rows


def as_csv(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def as_xlsx(rows, header=HEADER) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def upload(client, content: bytes, name="registry.csv", body="ACSM"):
    return client.post("/staff/imports/", {
        "body": CertifyingBody.objects.get(code=body).pk,
        "file": SimpleUploadedFile(name, content)})


def test_a_thousand_rows_dry_run_commit_and_again(acsm_registrar, settings,
                                                  django_capture_on_commit_callbacks):
    settings.IMPORT_INLINE_ROWS = 200  # this file goes to the background
    client = _client(acsm_registrar)
    rows = registry_rows()
    content = as_csv(rows)
    response = upload(client, content)
    assert response.status_code == 302, response.content.decode()[-2000:]
    run = RegistryImport.objects.get()
    assert run.planned == {"create": 993, "update": 0, "unchanged": 0, "refused": 7}
    assert Professional.objects.count() == 1  # alice: a dry run writes nobody
    page = client.get(response.url, {"show": "refused"}).content.decode()
    why = {r["line"]: " ".join(r["why"]) for r in run.rows if r["action"] == "refused"}
    assert "is not a date" in why[BAD_LINES["bad date"]]
    assert "unknown program “ZUMBA”" in why[BAD_LINES["unknown program"]]
    for line in BAD_LINES["duplicate"]:
        assert "appears on rows 303, 304" in why[line]
    assert "not an e-mail address" in why[BAD_LINES["bad e-mail"]]
    assert "no name" in why[BAD_LINES["no name"]]
    assert "is not the end of a ACSM cycle" in why[BAD_LINES["off schedule"]]
    assert page.count('data-action="refused"') == 7 and "ZUMBA" in page

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/staff/imports/{run.pk}/commit/", follow=True)
    run.refresh_from_db()
    assert run.status == RegistryImport.DONE and run.processed == 1000
    assert run.result == {"create": 993, "update": 0, "unchanged": 0, "refused": 7}
    assert Professional.objects.count() == 994
    assert MemberId.objects.filter(body__code="ACSM").count() == 993
    assert Certification.objects.filter(program__body__code="ACSM").count() == 994
    person = Professional.objects.get(member_ids__member_id=rows[0][0])
    assert (person.family_name, person.given_names) == (rows[0][1], rows[0][2])
    assert not person.user.has_usable_password()  # never a derived password
    cert = person.certifications.get()
    assert cert.current_cycle().end.strftime("%Y-%m-%d") == rows[0][6]  # ISO on line 2
    # A claim link each, by e-mail, that sets the password.
    claims = [m for m in mail.outbox if "set your password" in m.subject]
    assert len(claims) == 993
    link = next(m for m in claims if m.to == [person.email]).body.split(
        "http://testserver")[1].split()[0]
    assert _client(None).get(link).status_code == 200

    # The same file again: the dry run says unchanged, the commit writes nothing.
    before = History.objects.count()
    mail.outbox.clear()
    again = upload(client, content)
    second = RegistryImport.objects.get(pk=int(again.url.rstrip("/").split("/")[-1]))
    assert second.planned == {"create": 0, "update": 0, "unchanged": 993, "refused": 7}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/staff/imports/{second.pk}/commit/")
    second.refresh_from_db()
    assert second.result["unchanged"] == 993 and second.status == RegistryImport.DONE
    # Only the two imports' own rows (dry run and commit of the second file).
    assert History.objects.count() == before + 2
    assert Professional.objects.count() == 994 and mail.outbox == []


def test_progress_is_shown_while_it_runs(acsm_registrar, settings):
    settings.IMPORT_INLINE_ROWS = 5
    client = _client(acsm_registrar)
    upload(client, as_csv(registry_rows(20)))
    run = RegistryImport.objects.get()
    client.post(f"/staff/imports/{run.pk}/commit/")  # queued: the task runs on commit
    RegistryImport.objects.filter(pk=run.pk).update(status="running", processed=10)
    page = client.get(f"/staff/imports/{run.pk}/").content.decode()
    assert '<progress id="progress" max="20" value="10">' in page
    assert "10 of 20 rows (50%)" in page and 'http-equiv="refresh"' in page


def test_updates_and_xlsx(acsm_registrar, alice, alice_cpt, sam):
    from recert.core.actions.professionals import do_set_member_id

    do_set_member_id(alice, CertifyingBody.objects.get(code="ACSM"), "A1", actor=sam)
    rows = [["A1", "Archer-Bowman", "Alice", "alice@example.com", "CPT", "03/01/2025",
             "12/31/2028"],
            ["A2", "Newman", "Nia", "nia@example.org", "CPT", "2024-05-05", "2027-12-31"]]
    client = _client(acsm_registrar)
    response = upload(client, as_xlsx(rows), name="registry.xlsx")
    run = RegistryImport.objects.get()
    assert response.status_code == 302 and run.planned["update"] == 1, run.rows
    changes = run.rows[0]["changes"]
    assert "name: Alice Archer → Alice Archer-Bowman" in changes
    assert "certified on: 03/15/2025 → 03/01/2025" in changes
    client.post(f"/staff/imports/{run.pk}/commit/")
    alice.refresh_from_db()
    alice_cpt.refresh_from_db()
    assert alice.full_name == "Alice Archer-Bowman" and alice_cpt.certified_on == date(2025, 3, 1)
    row = History.objects.of(alice_cpt).get(action="correct")
    assert "registry import" in row.changes["reason"][1]
    assert Professional.objects.filter(family_name="Newman").exists()


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "registry.csv",
     "neither .xlsx nor CSV"),
    (b"PK\x03\x04not really a zip", "registry.xlsx", "cannot be read"),
    (as_csv([["A1", "X", "Y"]], header=["Member ID", "Surname", "Shoe size"]), "r.csv",
     "Column 3 “Shoe size” is not a column of the registry export"),
    (as_csv([["A1", "X"]], header=["Member ID", "Name"]), "r.csv",
     "lacks the columns program, certified on, cycle end"),
    (b"", "r.csv", "The file is empty."),
])
def test_bad_files_are_refused(acsm_registrar, content, name, message):
    response = upload(_client(acsm_registrar), content, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RegistryImport.objects.exists()


def test_formula_injection_refuses_the_file(acsm_registrar, programs):
    people = Professional.objects.count()
    rows = [["A1", '=HYPERLINK("http://evil.example","x")', "Eve", "eve@example.org", "CPT",
             "2024-05-05", "2027-12-31"]]
    for content, name in ((as_csv(rows), "r.csv"), (as_xlsx(rows), "r.xlsx")):
        response = upload(_client(acsm_registrar), content, name=name)
        body = response.content.decode()
        assert response.status_code == 400
        assert "cells a spreadsheet would run as formulas" in body and "row 2" in body
    assert not RegistryImport.objects.exists() and Professional.objects.count() == people


def test_over_the_size_limit(acsm_registrar, settings):
    settings.IMPORT_MAX_BYTES = 10 * 1024 * 1024
    content = as_csv([]) + b"x" * (20 * 1024 * 1024)
    response = upload(_client(acsm_registrar), content)
    assert response.status_code == 400
    assert "The file is 20.0 MB; an import may be at most 10 MB" in response.content.decode()


def test_every_page_and_action_refuses_who_may_not(refusers, acsm_registrar, programs):
    people = Professional.objects.count()
    upload(_client(acsm_registrar), as_csv(registry_rows(3)))
    run = RegistryImport.objects.get()
    pages = ["/staff/imports/", f"/staff/imports/{run.pk}/"]
    commit = f"/staff/imports/{run.pk}/commit/"
    for who, user in refusers.items():
        client = _client(user)
        for response in ([client.get(url) for url in pages]
                         + [client.post(commit), upload(client, as_csv([]))]):
            if user is None:
                assert response.status_code == 302 and "/login/" in response.url
            elif who == "other body":
                # ACE's registrar has the role, but not at ACSM: the import is not theirs.
                assert response.status_code in (200, 400, 404), who
            else:
                assert response.status_code == 403, (who, response.status_code)
        if who == "other body":
            assert client.get(pages[1]).status_code == 404
            assert client.post(commit).status_code == 404
            listing = client.get(pages[0]).content.decode()
            assert "registry.csv" not in listing
            response = upload(client, as_csv(registry_rows(1)))
            assert "Choose one of your bodies" in response.content.decode()
    run.refresh_from_db()
    assert run.status == RegistryImport.PLANNED and Professional.objects.count() == people
