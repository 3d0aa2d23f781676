"""Every path of the audit through time (ACSM-AUDIT-1): passed on time; rejected credits →
replacement → passed; no response → inactive → documents within the year → active; no
response → invalid after the year; reminders 14 and 3 days before; the claim; appeals."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from recert.audits import actions
from recert.audits.models import AuditCase, AuditItem, AuditReminder
from recert.core.evaluation import evaluate_professional
from recert.core.models import Certification, CreditDecision, History
from recert.renewals.models import ClaimedCredit
from tests.audits.conftest import NOTICE_ON, PDF, at
from tests.factories import log

pytestmark = pytest.mark.django_db
DUE = NOTICE_ON + timedelta(days=30)  # 2026-03-04


def upload_all(client, case, name="proof.pdf", content=PDF):
    for item in case.items.filter(locked_at_submission__isnull=True):
        response = client.post(f"/audits/{case.pk}/credits/{item.pk}/documents/",
                               {"file": SimpleUploadedFile(name, content)})
        assert response.status_code == 302, response.content.decode()[-800:]


def submit(client, case):
    return client.post(f"/audits/{case.pk}/submit/")


def review(auditor, case, day, rejected=(), reason="name_missing"):
    """The auditor claims the case and decides every credit awaiting review."""
    with at(day):
        actions.do_claim_case(case, actor=auditor)
        for item in case.items.filter(outcome=AuditItem.PENDING).order_by("pk"):
            if item.credit_entry_id in rejected:
                actions.do_review_item(item, AuditItem.REJECTED, actor=auditor, today=day,
                                       reason=reason, note="Only the provider's name shows.")
            else:
                actions.do_review_item(item, AuditItem.ACCEPTED, actor=auditor, today=day)
    case.refresh_from_db()
    return case


def nightly(day):
    with at(day):
        call_command("nightly", as_of=day.isoformat(), stdout=open("/dev/null", "w"))


def test_passed_on_time(client, alice, ann, case, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(alice.user)
    with at(NOTICE_ON + timedelta(days=10)):
        page = client.get(f"/audits/{case.pk}/").content.decode()
        assert "What each proof must show" in page and "01/01/2023 – 12/31/2025" not in page
        assert "03/15/2022 – 12/31/2025" in page
        assert "Still missing proof" in page
        upload_all(client, case)
        response = client.post(f"/audits/{case.pk}/note/", {"note": "All certificates attached."})
        assert response.status_code == 302
        assert submit(client, case).status_code == 302
    case.refresh_from_db()
    assert case.status == AuditCase.SUBMITTED and case.note == "All certificates attached."
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review(ann, case, NOTICE_ON + timedelta(days=15))
    assert case.status == AuditCase.PASSED
    assert [m.subject for m in mailoutbox] == ["ACSM audit: passed"]
    # Each decision is the body's (REVIEW-1).
    assert set(CreditDecision.objects.values_list("body__code", "outcome")) == {
        ("ACSM", "accepted")}
    kinds = list(History.objects.of(case).values_list("action", flat=True))
    assert kinds[0] == "select_for_audit" and "submit_audit" in kinds
    assert kinds.count("review_audit") == 3 and kinds[-1] == "audit_outcome"


def test_rejected_credits_then_replacement_then_passed(
        client, alice, ann, case, alice_renewed, mailoutbox,
        django_capture_on_commit_callbacks):
    certification, entries, renewal = alice_renewed
    client.force_login(alice.user)
    with at(NOTICE_ON + timedelta(days=5)):
        upload_all(client, case)
        submit(client, case)
    case.refresh_from_db()
    reviewed_on = NOTICE_ON + timedelta(days=20)
    with django_capture_on_commit_callbacks(execute=True):
        review(ann, case, reviewed_on, rejected={entries[0].pk})
    # 30 of 45 accepted: short, so a replacement period of 90 days (ACSM-AUDIT-1).
    assert case.status == AuditCase.REPLACEMENT
    assert case.replacement_due_on == reviewed_on + timedelta(days=90)
    assert mailoutbox[-1].subject.startswith("ACSM audit: replacement CECs needed by")
    rejected = CreditDecision.objects.get(credit_entry=entries[0])
    assert (rejected.body.code, rejected.outcome) == ("ACSM", "rejected")
    assert "Your name is not on the document" in rejected.reason
    # The ACE standing of the credit is untouched: no ACE decision exists (REVIEW-1).
    assert not CreditDecision.objects.filter(body__code="ACE").exists()
    with at(reviewed_on):
        page = client.get(f"/audits/{case.pk}/").content.decode()
    assert "Replacement period" in page and "Your name is not on the document" in page

    # A new CEC earned in the period, added, proven and submitted.
    earned = reviewed_on + timedelta(days=30)
    with at(earned):
        new = log(alice, earned, "15", "ACSM")
        response = client.post(f"/audits/{case.pk}/replacements/", {"credit": new.pk})
        assert response.status_code == 302
        upload_all(client, case)
        assert submit(client, case).status_code == 302
    case.refresh_from_db()
    assert case.status == AuditCase.SUBMITTED and case.submissions == 2
    with django_capture_on_commit_callbacks(execute=True):
        review(ann, case, earned + timedelta(days=3))
    assert case.status == AuditCase.PASSED
    # The engine counted the replacement toward the audited cycle (ACSM-AUDIT-1) ...
    evaluation = actions.audited_evaluation(case, earned + timedelta(days=3))
    result = evaluation.certifications[0]
    assert result.earned == Decimal("45")
    assert "ACSM-AUDIT-1" in result.credit(str(new.pk)).rules
    # ... and the renewal claims it, so it does not count again in the current cycle.
    assert ClaimedCredit.objects.get(renewal=renewal, credit_entry=new).counted == 15
    current = evaluate_professional(alice, earned + timedelta(days=3)).certification(
        str(certification.pk))
    assert current.credit(str(new.pk)).counted == 0


def test_no_response_inactive_then_documents_within_the_year_restore(
        client, alice, case, alice_renewed, mailoutbox, django_capture_on_commit_callbacks):
    certification = alice_renewed[0]
    nightly(DUE)  # the due day itself: still awaiting
    case.refresh_from_db()
    assert case.status == AuditCase.AWAITING
    with django_capture_on_commit_callbacks(execute=True):
        nightly(DUE + timedelta(days=1))
    case.refresh_from_db()
    certification.refresh_from_db()
    assert case.status == AuditCase.INACTIVE
    assert case.inactive_until == date(2027, 3, 4)
    assert certification.audit_hold == Certification.AUDIT_INACTIVE
    assert certification.status == "active"  # the engine's status is unchanged
    assert mailoutbox[-1].subject == "ACSM audit: certification inactive until proof arrives"
    client.force_login(alice.user)
    with at(date(2026, 9, 1)):
        dashboard = client.get("/").content.decode()
        assert "Inactive: audit documents missing" in dashboard
        for url in ("/certifications/", f"/certifications/{certification.pk}/"):
            assert "Inactive: audit documents missing" in client.get(url).content.decode()
        upload_all(client, case)
        assert submit(client, case).status_code == 302
    case.refresh_from_db()
    certification.refresh_from_db()
    assert case.status == AuditCase.SUBMITTED
    assert certification.audit_hold == ""
    nightly(date(2027, 6, 1))  # under review: no deadline runs
    case.refresh_from_db()
    assert case.status == AuditCase.SUBMITTED


def test_no_response_invalid_after_the_year(client, alice, case, alice_renewed, mailoutbox,
                                            django_capture_on_commit_callbacks):
    certification = alice_renewed[0]
    nightly(DUE + timedelta(days=1))
    nightly(date(2027, 3, 4))  # the last day of the inactive period
    case.refresh_from_db()
    assert case.status == AuditCase.INACTIVE
    with django_capture_on_commit_callbacks(execute=True):
        nightly(date(2027, 3, 5))
    case.refresh_from_db()
    certification.refresh_from_db()
    assert case.status == AuditCase.INVALID
    assert certification.audit_hold == Certification.AUDIT_INVALID
    assert mailoutbox[-1].subject == "ACSM audit: certification invalid"
    # Too late now: the submission is refused with the reason.
    with at(date(2027, 3, 6)):
        client.force_login(alice.user)
        response = submit(client, case)
    assert response.status_code == 400
    assert "takes no more proof" in response.content.decode()


def test_a_case_left_many_days_goes_straight_to_invalid(case):
    with at(date(2027, 5, 1)):
        actions.run_case(case.pk, date(2027, 5, 1))
    case.refresh_from_db()
    assert case.status == AuditCase.INVALID


def test_reminders_14_and_3_days_before_the_due_date_once_each(
        case, mailoutbox, django_capture_on_commit_callbacks):
    mailoutbox.clear()
    for day in (DUE - timedelta(days=15), DUE - timedelta(days=14), DUE - timedelta(days=13),
                DUE - timedelta(days=3), DUE - timedelta(days=2)):
        with django_capture_on_commit_callbacks(execute=True):
            nightly(day)
    assert [(r.kind, r.deadline) for r in AuditReminder.objects.order_by("pk")] == [
        ("days_14", DUE), ("days_3", DUE)]
    assert [m.subject for m in mailoutbox] == [
        "ACSM audit: proof due March 4, 2026 (14 days left)",
        "ACSM audit: proof due March 4, 2026 (3 days left)"]


def test_two_auditors_never_review_one_case_at_once(client, alice, ann, abe, case, settings):
    client.force_login(alice.user)
    with at(NOTICE_ON):
        upload_all(client, case)
        submit(client, case)
    item = case.items.first()
    with at(NOTICE_ON + timedelta(days=1)):
        actions.do_claim_case(case, actor=ann)
        with pytest.raises(ValidationError, match="ann is reviewing this case"):
            actions.do_claim_case(case, actor=abe)
        with pytest.raises(ValidationError, match="Claim the case"):
            actions.do_review_item(item, AuditItem.ACCEPTED, actor=abe,
                                   today=NOTICE_ON + timedelta(days=1))
    later = NOTICE_ON + timedelta(days=1, minutes=settings.AUDIT_CLAIM_MINUTES + 1)
    with at(NOTICE_ON + timedelta(days=2)):  # the claim expired
        actions.do_claim_case(case, actor=abe)
        actions.do_review_item(item, AuditItem.ACCEPTED, actor=abe,
                               today=later)
    item.refresh_from_db()
    assert item.reviewed_by == abe


def test_one_appeal_decided_by_a_different_auditor(client, alice, ann, abe, case, alice_renewed,
                                                   django_capture_on_commit_callbacks):
    entries = alice_renewed[1]
    client.force_login(alice.user)
    with at(NOTICE_ON):
        upload_all(client, case)
        submit(client, case)
    review(ann, case, NOTICE_ON + timedelta(days=3), rejected={entries[1].pk},
           reason="not_legible")
    assert case.status == AuditCase.REPLACEMENT
    item = case.items.get(credit_entry=entries[1])
    with at(NOTICE_ON + timedelta(days=4)):
        response = client.post(f"/audits/{case.pk}/credits/{item.pk}/appeal/",
                               {"appeal_note": "", "file": SimpleUploadedFile("x.pdf", PDF)})
        assert response.status_code == 400
        assert "Say why the credit should be accepted." in response.content.decode()
        response = client.post(f"/audits/{case.pk}/credits/{item.pk}/appeal/", {
            "appeal_note": "A clearer scan.", "file": SimpleUploadedFile("scan.png",
                                                                         b"\x89PNG\r\n\x1a\n1")})
        assert response.status_code == 302
        response = client.post(f"/audits/{case.pk}/credits/{item.pk}/appeal/",
                               {"appeal_note": "Again."})
        assert "appealed once" in response.content.decode()
    item.refresh_from_db()
    assert item.appeal == AuditItem.APPEAL_PENDING and item.appeal_documents.count() == 1
    with pytest.raises(ValidationError, match="different auditor"):
        actions.do_decide_appeal(item, True, actor=ann, today=NOTICE_ON + timedelta(days=5))
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_decide_appeal(item, True, actor=abe, today=NOTICE_ON + timedelta(days=5))
    case.refresh_from_db()
    item.refresh_from_db()
    assert (item.outcome, item.appeal) == (AuditItem.ACCEPTED, AuditItem.APPEAL_GRANTED)
    assert case.status == AuditCase.PASSED
    assert CreditDecision.objects.get(credit_entry=entries[1]).outcome == "accepted"


def test_an_acsm_rejection_leaves_the_credits_ace_standing_alone(
        client, alice, ann, case, alice_renewed, programs, sam):
    """REVIEW-1: the audit's rejection is ACSM's decision; ACE evaluates the credit by its
    own rules, before and after."""
    from recert.core.actions.certifications import do_create_certification

    ace = do_create_certification(alice, programs[("ACE", "PT")], date(2023, 6, 1), actor=sam)
    entry = alice_renewed[1][0]

    def ace_result(day):
        return evaluate_professional(alice, day).certification(str(ace.pk)).credit(
            str(entry.pk))

    day = NOTICE_ON + timedelta(days=3)
    before = ace_result(day)
    client.force_login(alice.user)
    with at(NOTICE_ON):
        upload_all(client, case)
        submit(client, case)
    review(ann, case, day, rejected={entry.pk})
    assert CreditDecision.objects.get(credit_entry=entry).body.code == "ACSM"
    assert ace_result(day) == before
