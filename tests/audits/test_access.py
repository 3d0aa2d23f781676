"""Who may see and do what in the audit: only auditors of the body on the staff side (404
for another body's audit, 403 without the role, log-in for anonymous); the professional
sees only their own case; bad input is refused with the field named, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from recert.audits import actions
from recert.audits.models import AuditCase, AuditItem
from tests.audits.conftest import NOTICE_ON, PDF, at
from tests.audits.test_paths import submit, upload_all

pytestmark = pytest.mark.django_db


def staff_urls(case):
    item = case.items.first()
    return [
        ("get", "/staff/audits/"),
        ("get", "/staff/audits/start/ACSM/"),
        ("get", f"/staff/audits/{case.audit_id}/"),
        ("get", f"/staff/audits/{case.audit_id}/summary.xlsx"),
        ("get", f"/staff/audits/cases/{case.pk}/"),
        ("get", f"/staff/audits/cases/{case.pk}/packet.pdf"),
        ("get", f"/staff/audits/cases/{case.pk}/files.zip"),
        ("post", f"/staff/audits/cases/{case.pk}/claim/"),
        ("post", f"/staff/audits/cases/{case.pk}/credits/{item.pk}/review/"),
        ("post", f"/staff/audits/cases/{case.pk}/credits/{item.pk}/appeal/"),
    ]


def test_auditors_of_the_body_open_every_staff_page(client, ann, case):
    client.force_login(ann)
    for method, url in staff_urls(case):
        response = getattr(client, method)(url)
        assert response.status_code in (200, 302), (url, response.status_code)
        if method == "get":
            assert response.status_code == 200, url


def test_others_are_refused_every_staff_page(client, alice, bob, eve, vic, case):
    for method, url in staff_urls(case):
        assert getattr(client, method)(url).status_code == 302  # anonymous: log in
    expected = {alice.user: 403, bob.user: 403, vic: 403}
    for user, status in expected.items():
        client.force_login(user)
        for method, url in staff_urls(case):
            assert getattr(client, method)(url).status_code == status, (user, url)
    # An auditor of another body: the ACSM audit and its cases are not there for them.
    client.force_login(eve)
    for method, url in staff_urls(case)[1:]:
        assert getattr(client, method)(url).status_code == 404, url


def test_the_professional_sees_only_their_own_case(client, alice, bob, ann, case):
    item = case.items.first()
    client.force_login(alice.user)
    assert client.get(f"/audits/{case.pk}/").status_code == 200
    assert str(case.pk) in client.get("/audits/").content.decode()
    for user in (bob.user, ann):
        client.force_login(user)
        assert client.get(f"/audits/{case.pk}/").status_code == 404
        assert client.post(f"/audits/{case.pk}/submit/").status_code == 404
        assert client.post(f"/audits/{case.pk}/credits/{item.pk}/documents/",
                           {"file": SimpleUploadedFile("p.pdf", PDF)}).status_code == 404
        assert f"/audits/{case.pk}/" not in client.get("/audits/").content.decode()
    client.logout()
    assert client.get(f"/audits/{case.pk}/").status_code == 302


@pytest.mark.parametrize("name, content, message", [
    ("proof.pdf", b"MZ\x90\x00 not a document", "is not a PDF, JPEG or PNG document"),
    ("empty.pdf", b"", "The file is empty"),
])
def test_uploads_are_checked_by_content(client, alice, case, name, content, message):
    item = case.items.first()
    client.force_login(alice.user)
    with at(NOTICE_ON):
        response = client.post(f"/audits/{case.pk}/credits/{item.pk}/documents/",
                               {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not item.documents.exists()


def test_an_upload_too_large_is_refused(client, alice, case, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    item = case.items.first()
    client.force_login(alice.user)
    with at(NOTICE_ON):
        response = client.post(f"/audits/{case.pk}/credits/{item.pk}/documents/",
                               {"file": SimpleUploadedFile("big.pdf", PDF + b"0" * 2048)})
    assert response.status_code == 400
    assert "the largest accepted is 1 KB" in response.content.decode() or \
        "largest accepted" in response.content.decode()


def test_submitting_with_proof_missing_names_the_credits(client, alice, case):
    client.force_login(alice.user)
    with at(NOTICE_ON):
        response = submit(client, case)
    assert response.status_code == 400
    assert "Attach proof to every credit first" in response.content.decode()
    case.refresh_from_db()
    assert case.status == AuditCase.AWAITING


def test_a_second_submission_while_under_review_is_refused_and_documents_stay(
        client, alice, case):
    client.force_login(alice.user)
    with at(NOTICE_ON):
        upload_all(client, case)
        assert submit(client, case).status_code == 302
        response = submit(client, case)
        assert response.status_code == 400
        assert "under review" in response.content.decode()
        item = case.items.first()
        document = item.documents.first()
        response = client.post(
            f"/audits/{case.pk}/credits/{item.pk}/documents/{document.pk}/remove/")
        assert response.status_code == 400
        response = client.post(f"/audits/{case.pk}/credits/{item.pk}/documents/",
                               {"file": SimpleUploadedFile("swap.pdf", PDF)})
        assert response.status_code == 400
    assert list(item.documents.all()) == [document]


def test_a_document_of_another_credit_cannot_be_offered(client, alice, case):
    first, second = case.items.order_by("pk")[:2]
    client.force_login(alice.user)
    with at(NOTICE_ON):
        client.post(f"/audits/{case.pk}/credits/{first.pk}/documents/",
                    {"file": SimpleUploadedFile("a.pdf", PDF)})
        other = first.documents.get()
        response = client.post(f"/audits/{case.pk}/credits/{second.pk}/documents/",
                               {"document": str(other.pk)})
        assert response.status_code == 400
        response = client.post(f"/audits/{case.pk}/credits/{second.pk}/documents/",
                               {"document": "x'; drop"})
        assert response.status_code == 400
    assert not second.documents.exists()


def test_reusing_a_document_already_on_the_entry(client, alice, case):
    from recert.core.actions.credits import do_attach_document

    item = case.items.first()
    document = do_attach_document(item.credit_entry, SimpleUploadedFile("kept.pdf", PDF),
                                  actor=alice.user)
    client.force_login(alice.user)
    with at(NOTICE_ON):
        page = client.get(f"/audits/{case.pk}/").content.decode()
        assert "kept.pdf" in page
        response = client.post(f"/audits/{case.pk}/credits/{item.pk}/documents/",
                               {"document": str(document.pk)})
    assert response.status_code == 302
    assert list(item.documents.all()) == [document]


def test_bad_review_input_is_refused_by_name(client, alice, ann, case):
    client.force_login(alice.user)
    with at(NOTICE_ON):
        upload_all(client, case)
        submit(client, case)
    item = case.items.first()
    client.force_login(ann)
    with at(NOTICE_ON + timedelta(days=1)):
        client.post(f"/staff/audits/cases/{case.pk}/claim/")
        response = client.post(f"/staff/audits/cases/{case.pk}/credits/{item.pk}/review/",
                               {"outcome": "rejected", "reason": ""}, follow=True)
        assert "Choose why the credit is rejected" in response.content.decode()
        response = client.post(f"/staff/audits/cases/{case.pk}/credits/{item.pk}/review/",
                               {"outcome": "maybe"}, follow=True)
        assert "Choose accept or reject." in response.content.decode()
    item.refresh_from_db()
    assert item.outcome == AuditItem.PENDING
    with at(NOTICE_ON + timedelta(days=1)), pytest.raises(ValidationError, match="Choose why"):
        actions.do_review_item(item, AuditItem.REJECTED, actor=ann, today=NOTICE_ON,
                               reason="because")
