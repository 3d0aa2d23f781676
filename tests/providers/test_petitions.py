"""ACE petitions (ACE-PETITION-1) through approve, deny and more information; a decision is
ACE's only (REVIEW-1); every decision is history and e-mail; promotion into the catalog."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from recert.core.actions.certifications import do_create_certification
from recert.core.actions.staff import do_grant_staff_role
from recert.core.evaluation import standing_of
from recert.core.models import Course, CreditDecision, History
from recert.providers.actions import (
    bodies_waiting_for_petition,
    do_approve_petition,
    do_file_petition,
)
from recert.providers.models import Petition
from tests.factories import log

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 1)


@pytest.fixture
def alice_ace(alice, programs, sam, alice_cpt):
    return do_create_certification(alice, programs[("ACE", "PT")], date(2025, 6, 1), actor=sam)


@pytest.fixture
def workshop(alice, alice_ace):
    """A 6-hour workshop that is not ACE-approved: ACE waits for a petition."""
    entry = log(alice, date(2026, 10, 1), "6", "OTHER", unit="hour")
    entry.title, entry.provider, entry.format = "Barre Basics", "Studio B", "workshop"
    entry.save()
    return entry


@pytest.fixture
def audrey(bodies, django_user_model):
    user = django_user_model.objects.create_user("audrey", "audrey@example.com", "x")
    do_grant_staff_role(user, bodies["ACE"], "auditor", actor=None)
    do_grant_staff_role(user, bodies["ACE"], "education", actor=None)
    return user


@pytest.fixture
def acsm_auditor(bodies, django_user_model):
    user = django_user_model.objects.create_user("amos", "amos@example.com", "x")
    do_grant_staff_role(user, bodies["ACSM"], "auditor", actor=None)
    return user


def counted(alice, body: str, entry) -> Decimal:
    standing = standing_of(alice, TODAY)
    result = next(r for r in standing.evaluation.certifications if r.body == body)
    return next(c for c in result.credits if c.id == str(entry.pk)).counted


def file(client, entry, **extra):
    return client.post(f"/credits/{entry.pk}/petition/", {
        "do": "file", "description": "Barre technique, 9:00-12:00 and 13:00-16:00.",
        "hours": "6", "note": "Taught by a licensed PT.",
        "certificate": SimpleUploadedFile("cert.pdf", b"%PDF-1.4\n% barre\n"), **extra})


def test_a_credit_ace_waits_for_is_petitioned_and_approved_for_ace_only(
        client, alice, workshop, audrey, media, django_capture_on_commit_callbacks):
    assert bodies_waiting_for_petition(workshop, TODAY) == ["ACE"]
    assert counted(alice, "ACE", workshop) == 0
    client.force_login(alice.user)
    page = client.get(f"/credits/{workshop.pk}/").content.decode()
    assert "File a petition with ACE" in page
    assert file(client, workshop).status_code == 302
    petition = Petition.objects.get()
    assert (petition.state, petition.hours, petition.certificate.original_name) == (
        "pending", Decimal("6"), "cert.pdf")
    workshop.refresh_from_db()
    assert workshop.petition == "pending"
    assert "ACE petition: <strong>waiting for review</strong>" in client.get(
        f"/credits/{workshop.pk}/").content.decode()
    assert "Barre Basics</a>: waiting for review" in client.get("/").content.decode()
    client.force_login(audrey)
    assert "Barre Basics" in client.get("/staff/petitions/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/staff/petitions/{petition.pk}/", {
            "do": "approve", "credits": "0.5", "approve_reason": "Meets ACE standards."})
    assert response.status_code == 302
    petition.refresh_from_db()
    assert (petition.state, petition.credits_granted) == ("approved", Decimal("0.5"))
    decision = CreditDecision.objects.get(credit_entry=workshop)
    assert (decision.body.code, decision.outcome, decision.counted_as) == (
        "ACE", "accepted", Decimal("0.5"))
    # ACE-PETITION-1 counts the grant (which differs from the hours asked); ACSM still
    # evaluates the workshop by its own rules (REVIEW-1).
    assert counted(alice, "ACE", workshop) == Decimal("0.5")
    assert counted(alice, "ACSM", workshop) == Decimal("6")
    assert "approved" in mail.outbox[-1].subject and mail.outbox[-1].to == ["alice@example.com"]
    assert [h.action for h in History.objects.of(petition)] == ["file_petition", "approve"]


def test_deny_needs_a_reason_and_is_told(client, alice, workshop, audrey, media,
                                         django_capture_on_commit_callbacks):
    client.force_login(alice.user)
    file(client, workshop)
    petition = Petition.objects.get()
    client.force_login(audrey)
    response = client.post(f"/staff/petitions/{petition.pk}/", {"do": "deny",
                                                                "deny_reason": ""})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/staff/petitions/{petition.pk}/", {
            "do": "deny", "deny_reason": "A workout class is not continuing education."})
    petition.refresh_from_db()
    workshop.refresh_from_db()
    assert petition.state == "denied" and workshop.petition == "denied"
    assert "workout class" in mail.outbox[-1].body
    assert counted(alice, "ACE", workshop) == 0
    assert counted(alice, "ACSM", workshop) == Decimal("6")


def test_more_information_is_answered_on_the_same_petition(
        client, alice, workshop, audrey, media, django_capture_on_commit_callbacks):
    client.force_login(alice.user)
    file(client, workshop)
    petition = Petition.objects.get()
    client.force_login(audrey)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/staff/petitions/{petition.pk}/", {
            "do": "ask", "question": "Send the agenda with the instructor's credentials."})
    petition.refresh_from_db()
    assert petition.state == "more_information"
    assert "instructor's credentials" in mail.outbox[-1].body
    client.force_login(alice.user)
    page = client.get(f"/credits/{workshop.pk}/petition/").content.decode()
    assert "Answer ACE" in page
    client.post(f"/credits/{workshop.pk}/petition/", {
        "do": "answer", "answer": "Agenda attached; the instructor is a DPT.",
        "certificate": SimpleUploadedFile("agenda.pdf", b"%PDF-1.4\n% agenda\n")})
    petition.refresh_from_db()
    assert petition.state == "pending" and Petition.objects.count() == 1
    assert [m.kind for m in petition.messages.all()] == ["question", "answer"]
    assert petition.certificate.original_name == "agenda.pdf"
    do_approve_petition(petition, actor=audrey, credits=Decimal("0.6"))
    assert counted(alice, "ACE", workshop) == Decimal("0.6")
    assert [h.action for h in History.objects.of(petition)] == [
        "file_petition", "ask_more_information", "answer", "approve"]


def test_an_approved_petitions_course_is_promoted_into_the_catalog(
        client, alice, workshop, audrey, media):
    petition = do_file_petition(workshop, workshop.professional.certifications.get(
        program__body__code="ACE").program.body, actor=alice.user, description="Agenda",
        hours=Decimal("6"), today=TODAY)
    do_approve_petition(petition, actor=audrey, credits=Decimal("0.6"))
    client.force_login(audrey)
    bad = client.post(f"/staff/petitions/{petition.pk}/", {"do": "promote",
                                                            "course_number": "BARRE1"})
    assert bad.status_code == 400 and "is not a ACE course number" in bad.content.decode()
    client.post(f"/staff/petitions/{petition.pk}/", {"do": "promote",
                                                     "course_number": "CL77777"})
    course = Course.objects.get(course_number="CL77777")
    assert (course.title, course.provider.name, course.credits, course.status) == (
        "Barre Basics", "Studio B", Decimal("0.6"), Course.APPROVED)
    client.force_login(alice.user)
    found = client.post("/credits/lookup/", {"course_number": "CL77777"}).content.decode()
    assert "Barre Basics" in found


def test_a_credit_no_body_waits_for_cannot_be_petitioned(client, alice, alice_ace, media):
    approved = log(alice, date(2026, 10, 1), "0.7", "ACE")
    approved.course_number, approved.format = "CEP123456", "online_course"
    approved.save()
    assert bodies_waiting_for_petition(approved, TODAY) == []
    client.force_login(alice.user)
    response = file(client, approved)
    assert response.status_code == 200 and not Petition.objects.exists()
    assert "No body waits for a petition" in response.content.decode()


def test_who_may_see_and_decide_a_petition(client, alice, bob, workshop, audrey, acsm_auditor,
                                           vic, media):
    petition = do_file_petition(workshop, audrey.staff_memberships.first().body,
                                actor=alice.user, description="Agenda", hours=Decimal("6"),
                                today=TODAY)
    client.force_login(bob.user)
    assert client.get(f"/credits/{workshop.pk}/petition/").status_code == 404
    assert client.get("/staff/petitions/").status_code == 403
    client.force_login(acsm_auditor)  # auditor of another body
    assert client.get(f"/staff/petitions/{petition.pk}/").status_code == 404
    assert client.post(f"/staff/petitions/{petition.pk}/", {
        "do": "approve", "credits": "2", "approve_reason": "x"}).status_code == 404
    client.force_login(vic)  # ACE staff without the auditor role
    assert client.get(f"/staff/petitions/{petition.pk}/").status_code == 403
    client.force_login(alice.user)  # the professional does not decide her own
    assert client.get(f"/staff/petitions/{petition.pk}/").status_code == 403
    client.logout()
    assert client.get(f"/credits/{workshop.pk}/petition/").status_code == 302
    petition.refresh_from_db()
    assert petition.state == "pending"
