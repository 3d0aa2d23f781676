"""The staff admin: open to staff, closed to professionals; writes go through the actions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from recert.accounts.models import ClaimToken
from recert.core.actions.credits import do_create_credit_entry
from recert.core.actions.history import do_soft_delete
from recert.core.models import CreditEntry, History, Professional

PAGES = ["admin:index", "admin:core_professional_changelist", "admin:core_certification_changelist",
         "admin:core_creditentry_changelist", "admin:core_history_changelist",
         "admin:core_program_changelist", "admin:core_document_changelist",
         "admin:accounts_user_changelist", "admin:core_professional_add"]


@pytest.mark.parametrize("page", PAGES)
def test_staff_can_open(client, sam, alice_cpt, page):
    client.force_login(sam)
    assert client.get(reverse(page)).status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_professional_is_refused(client, alice, page):
    client.force_login(alice.user)
    response = client.get(reverse(page))
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_history_is_read_only(client, sam, alice_cpt):
    client.force_login(sam)
    row = History.objects.first()
    page = client.get(reverse("admin:core_history_change", args=[row.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.get(reverse("admin:core_history_add")).status_code == 403


def test_deleted_entries_are_listed_and_restored_through_the_action(client, sam, alice):
    entry = do_create_credit_entry(alice, actor=alice.user, earned_on=date(2026, 1, 1),
                                   title="Gone", format="course", amount=Decimal("1"),
                                   unit="hour")
    do_soft_delete(entry, actor=alice.user)
    client.force_login(sam)
    listing = client.get(reverse("admin:core_creditentry_changelist"))
    assert b"Gone" in listing.content
    client.post(reverse("admin:core_creditentry_changelist"),
                {"action": "restore", "_selected_action": [entry.pk]})
    assert CreditEntry.objects.filter(pk=entry.pk).exists()
    assert History.objects.filter(action="restore", object_id=entry.pk,
                                  actor=sam).exists()


def test_staff_create_professional_without_password_with_claim_link(client, sam):
    client.force_login(sam)
    response = client.post(reverse("admin:core_professional_add"), {
        "username": "erin", "full_name": "Erin Evans", "email": "erin@example.com",
        "phone": "", "address_line1": "", "address_line2": "", "city": "", "region": "",
        "postal_code": "", "country": "",
        "member_ids-TOTAL_FORMS": "0", "member_ids-INITIAL_FORMS": "0",
    }, follow=True)
    assert response.status_code == 200
    erin = Professional.objects.get(user__username="erin")
    assert not erin.user.has_usable_password()
    assert ClaimToken.objects.filter(user=erin.user).count() == 1
    messages = [str(m) for m in response.context["messages"]]
    assert any(f"/accounts/claim/{erin.user_id}/" in m for m in messages)


@pytest.fixture
def document(alice, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from recert.core.actions.credits import do_attach_document

    entry = do_create_credit_entry(alice, actor=alice.user, earned_on=date(2026, 1, 1),
                                   title="Course", format="course", amount=Decimal("1"),
                                   unit="hour")
    return do_attach_document(entry, SimpleUploadedFile("cert.pdf", b"%PDF-1.4 x"),
                              actor=alice.user)


def test_staff_download_documents_through_the_admin(client, sam, document, settings):
    client.force_login(sam)
    url = reverse("admin:core_document_download", args=[document.pk])
    for page in (reverse("admin:core_creditentry_change", args=[document.credit_entry_id]),
                 reverse("admin:core_document_change", args=[document.pk])):
        body = client.get(page).content.decode()
        assert f'href="{url}"' in body and "/media/" not in body
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 x"
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert client.get(reverse("admin:core_document_download", args=[999999])).status_code == 404


def test_document_download_is_staff_only(client, alice, document, db):
    from django.contrib.auth import get_user_model

    url = reverse("admin:core_document_download", args=[document.pk])
    client.force_login(alice.user)  # the owner, but not staff: the admin is closed
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response.url
    clerk = get_user_model().objects.create_user("clerk", "clerk@example.com", "x",
                                                 is_staff=True)
    client.force_login(clerk)  # staff, not superuser: the admin is closed too
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response.url


def _add_rows(n: int, sam, programs):
    """n more professionals, each with a claim link, a certification, a credit entry and a
    document: a row more in every changelist that shows related objects."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from recert.accounts.actions import do_issue_claim_link
    from recert.core.actions.certifications import do_create_certification
    from recert.core.actions.credits import do_attach_document
    from recert.core.actions.professionals import do_create_professional

    for _ in range(n):
        i = Professional.objects.count()
        person = do_create_professional(username=f"p{i}", email=f"p{i}@example.com",
                                        full_name=f"Person {i}", actor=sam)
        do_issue_claim_link(person, actor=sam)
        do_create_certification(person, programs[("ACSM", "CPT")], date(2025, 3, 15), actor=sam)
        entry = do_create_credit_entry(person, actor=sam, earned_on=date(2026, 1, 1),
                                       title="Course", format="course", amount=Decimal("1"),
                                       unit="hour")
        do_attach_document(entry, SimpleUploadedFile("c.pdf", b"%PDF-1.4 x"), actor=sam)


LISTS = ["admin:core_professional_changelist", "admin:accounts_claimtoken_changelist",
         "admin:core_document_changelist", "admin:core_creditentry_changelist",
         "admin:core_certification_changelist", "admin:core_program_changelist",
         "admin:core_history_changelist"]


def test_changelists_cost_the_same_for_more_rows(client, sam, programs, media):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(sam)

    def counts():
        result = {}
        for name in LISTS:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(name)).status_code == 200
            result[name] = len(queries)
        return result

    _add_rows(1, sam, programs)
    few = counts()
    _add_rows(3, sam, programs)
    assert counts() == few
