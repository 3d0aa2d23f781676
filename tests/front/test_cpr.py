"""CPR/AED is one record per person (issue 10): provider, expiry and card, used by every
certification and the renewal form; migrated from the certifications (latest expiry wins)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recert.core.actions.certifications import do_create_certification
from recert.core.evaluation import evaluate_professional
from recert.core.models import CprAed, History

TODAY = date(2026, 6, 1)
PDF = b"%PDF-1.4 card"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def two(alice, alice_cpt, programs, sam):
    """ACSM CPT (with a CPR/AED date) and ACE PT."""
    return alice_cpt, do_create_certification(alice, programs[("ACE", "PT")],
                                              date(2025, 3, 15), actor=sam)


def test_one_record_serves_every_certification(client, alice, two, media):
    client.force_login(alice.user)
    response = client.post(reverse("cpr_aed"), {
        "valid_until": "2028-02-29", "provider": "American Red Cross",
        "card": SimpleUploadedFile("card.png", b"\x89PNG\r\n\x1a\n rest", "image/png")})
    assert response.status_code == 302
    record = CprAed.objects.get(professional=alice)
    assert (record.valid_until, record.provider, record.card_content_type) == (
        date(2028, 2, 29), "American Red Cross", "image/png")
    assert record.card.name.endswith(".png")
    for certification in two:
        certification.refresh_from_db()
        assert certification.cpr_aed_valid_until == date(2028, 2, 29)
    evaluation = evaluate_professional(alice, TODAY)
    assert all("cpr_aed_not_current" not in c.renewal.blockers
               for c in evaluation.certifications)
    assert History.objects.of(alice).filter(action="set_cpr_aed").exists()
    page = client.get(reverse("certifications")).content.decode()
    assert page.count("02/29/2028") >= 3  # the person's line and each certification
    card = client.get(reverse("cpr_card"))
    assert card.status_code == 200 and card["X-Content-Type-Options"] == "nosniff"


def test_a_card_that_is_not_a_pdf_or_image_is_refused(client, alice, two, media):
    client.force_login(alice.user)
    response = client.post(reverse("cpr_aed"), {
        "valid_until": "2028-02-29",
        "card": SimpleUploadedFile("card.pdf", b"MZ\x90 an executable", "application/pdf")})
    assert response.status_code == 400
    assert "card.pdf: This file is not a PDF, JPEG or PNG document" in (
        response.content.decode())
    assert CprAed.objects.get(professional=alice).valid_until == date(2027, 6, 30)  # unchanged


def test_bob_sees_no_card_of_alices(client, alice, bob, two, media):
    client.force_login(alice.user)
    client.post(reverse("cpr_aed"), {"valid_until": "2028-01-31",
                                     "card": SimpleUploadedFile("c.pdf", PDF)})
    client.force_login(bob.user)
    assert client.get(reverse("cpr_card")).status_code == 404


def test_a_certification_added_with_an_older_card_keeps_the_later_date(alice, two, programs,
                                                                        sam):
    do_create_certification(alice, programs[("ACSM", "EP")], date(2025, 4, 1), actor=sam,
                            cpr_aed_valid_until=date(2026, 12, 31))
    assert CprAed.objects.get(professional=alice).valid_until == date(2027, 6, 30)


def test_the_renewal_form_reads_and_sets_the_persons_record(client, alice, alice_cpt):
    from tests.factories import log, renewal_form

    log(alice, date(2026, 2, 1), "45", "ACSM")
    with time_machine.travel(date(2028, 5, 2), tick=False):
        client.force_login(alice.user)
        page = client.get(reverse("renewals:start", args=[alice_cpt.pk]))
        assert page.context["form"].initial["cpr_aed_valid_until"] == date(2027, 6, 30)
        assert renewal_form(client, alice_cpt, through="45", other="0",
                            cpr="2030-12-31").status_code == 302
    assert CprAed.objects.get(professional=alice).valid_until == date(2030, 12, 31)


@pytest.mark.django_db(transaction=True)
def test_existing_dates_move_to_the_person_latest_wins(alice, bob, programs):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("core", "0007_map_awarding_organizations")]
    after = [("core", "0008_cpr_aed_per_person")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Certification = old.get_model("core", "Certification")
    Program = old.get_model("core", "Program")
    cpt, ep = Program.objects.get(code="CPT"), Program.objects.get(code="EP")
    for program, until in ((cpt, date(2027, 1, 31)), (ep, date(2028, 3, 31))):
        Certification.objects.create(professional_id=alice.pk, program_id=program.pk,
                                     certified_on=date(2025, 1, 1), cpr_aed_valid_until=until)
    Certification.objects.create(professional_id=bob.pk, program_id=cpt.pk,
                                 certified_on=date(2025, 1, 1))
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(after)
        executor.loader.build_graph()
        assert CprAed.objects.get(professional=alice).valid_until == date(2028, 3, 31)
        assert not CprAed.objects.filter(professional=bob).exists()
    finally:
        # Back to the latest schema: the database is shared with the tests that follow.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
