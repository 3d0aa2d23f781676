"""Your data (issue 11, item 10): a professional downloads everything Recert holds about
them, and closes their account keeping only what the bodies' retention requires.

The world is the security suite's: alice's credit (claimed by her paid renewal, so its
certificate is kept a year after the renewal, ACSM-DOC-1) with a document, an invoice, an
API token and a calendar feed; here she also has an unclaimed credit with a certificate, a
decision of ACSM on it, a CPR/AED card and contact details.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from recert.core.models import CertifyingBody, CreditEntry, Document, History
from tests.factories import log

PDF = b"%PDF-1.4\n% alice's lonely certificate\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"cpr card" * 4


@pytest.fixture
def alices(world, sam):
    from recert.core.actions.credits import do_attach_document, do_decide_credit_entry
    from recert.core.actions.professionals import do_set_cpr_aed

    alice = world.alice
    from recert.accounts.actions import do_verify_email

    alice.phone, alice.city, alice.email = "555-0100", "Springfield", "alice.home@example.com"
    alice.save()
    assert do_verify_email(alice.user, "alice.home@example.com", actor=alice.user)
    unclaimed = log(alice, date(2026, 11, 1), "3", "ACSM")
    unclaimed.title = "Unclaimed course"
    unclaimed.save(update_fields=["title"])
    unclaimed_document = do_attach_document(
        unclaimed, SimpleUploadedFile("lonely.pdf", PDF), actor=alice.user)
    do_decide_credit_entry(unclaimed, CertifyingBody.objects.get(code="ACSM"), "accepted",
                           actor=sam, reason="Checked the certificate.",
                           note="staff-only remark")
    do_set_cpr_aed(alice, actor=alice.user, valid_until=date(2027, 6, 30),
                   provider="Red Cross", card=SimpleUploadedFile("card.png", PNG))
    world.extra.update(unclaimed=unclaimed, unclaimed_document=unclaimed_document)
    return world


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _download(client: Client, password: str):
    return client.post("/settings/data/", {"password": password})


def _zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_zip_holds_everything_and_the_download_is_recorded(alices):
    alice = alices.alice
    client = _client(alice.user)
    assert client.get("/settings/").content.decode().count("/settings/data/") == 1
    page = client.get("/settings/data/")
    assert page.status_code == 200 and "Download my data" in page.content.decode()

    response = _download(client, alice.user.raw_password)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="recert-data-')
    assert response["Cache-Control"] == "private, no-store"
    archive = _zip(response)
    data = json.loads(archive.read("data.json"))
    assert data["format"] == "recert-your-data" and data["version"] == 1
    assert data["profile"]["full_name"] == "Alice Archer"
    assert data["profile"]["phone"] == "555-0100"
    assert data["account"]["username"] == "alice" and "password" not in data["account"]
    assert "alice.home@example.com" in {v["email"] for v in data["account"]["verified_addresses"]}
    assert [c["program"] for c in data["certifications"]] == ["CPT"]
    assert data["certifications"][0]["cycles"]
    titles = {c["title"]: c for c in data["credits"]}
    claimed = titles[alices.entry.title]
    assert claimed["claimed_by_renewals"] == [alices.invoice.renewal_id]
    assert claimed["documents"][0]["kept_until"] is not None
    unclaimed = titles["Unclaimed course"]
    assert unclaimed["decisions"][0]["body"] == "ACSM"
    assert unclaimed["decisions"][0]["reason"] == "Checked the certificate."
    assert "note" not in unclaimed["decisions"][0]
    assert "staff-only remark" not in archive.read("data.json").decode()
    assert data["cpr_aed"]["provider"] == "Red Cross"
    assert archive.read(data["cpr_aed"]["in_zip"]) == PNG
    assert data["invoices"][0]["number"] == alices.invoice.number
    assert data["invoices"][0]["payment"]["amount"] == str(alices.invoice.total)
    assert data["renewals"][0]["claimed_credits"]
    assert [t["name"] for t in data["api_tokens"]] == ["Alice's script"]
    assert "token_hash" not in data["api_tokens"][0]
    assert alices.extra["access_raw"] not in archive.read("data.json").decode()
    assert data["calendar_feed"] is not None and "token" not in data["calendar_feed"]
    assert {h["action"] for h in data["history"]} >= {"create", "attach_document", "decide"}
    # Every document's file, byte for byte, under the name the JSON gives.
    for credit in data["credits"]:
        for document in credit["documents"]:
            stored = Document.objects.get(pk=document["id"])
            assert archive.read(document["in_zip"]) == stored.file.open("rb").read()
    assert archive.read(unclaimed["documents"][0]["in_zip"]) == PDF
    assert History.objects.filter(action="export_data", professional=alice,
                                  actor=alice.user).count() == 1


@pytest.mark.parametrize("given", ["", "not-her-password"])
def test_no_zip_without_her_password(alices, given):
    client = _client(alices.alice.user)
    response = _download(client, given)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Enter your password to confirm." in page or "That is not your password." in page
    assert not History.objects.filter(action="export_data").exists()


def test_nobody_else_gets_alices_data(alices, sam):
    """bob gets his own data only; staff without a profile and a superuser get none; an
    anonymous visitor is sent to log in. No URL takes an id: there is nothing to guess."""
    bob = alices.bob
    response = _download(_client(bob.user), bob.user.raw_password)
    assert response.status_code == 200
    body = _zip(response).read("data.json").decode()
    for marker in alices.markers + ["Unclaimed course", "555-0100"]:
        assert marker not in body, marker
    for user in (alices.tom, sam):
        client = _client(user)
        for url in ("/settings/data/", "/settings/close/"):
            assert client.get(url).status_code == 404, (user, url)
            assert client.post(url, {"password": user.raw_password,
                                     "understood": "on"}).status_code == 404
    anonymous = Client()
    for url in ("/settings/data/", "/settings/close/"):
        for response in (anonymous.get(url), anonymous.post(url, {"password": "x"})):
            assert response.status_code == 302 and "/accounts/login/" in response.url
    assert History.objects.filter(action="export_data").count() == 1  # bob's
    assert alices.alice.user.__class__.objects.get(pk=alices.alice.user_id).is_active


def test_closing_asks_for_the_password_and_a_tick(alices):
    alice = alices.alice
    client = _client(alice.user)
    page = client.get("/settings/close/").content.decode()
    # The plan: the claimed credit's certificate is kept, with the date it may go.
    assert "alice-certificate.pdf" in page and "until" in page
    assert "1 credit entry\n    that no renewal claimed" in page
    for data in ({"password": alice.user.raw_password},
                 {"password": "wrong", "understood": "on"}):
        response = client.post("/settings/close/", data)
        assert response.status_code == 400
    alice.user.refresh_from_db()
    assert alice.user.is_active
    assert not History.objects.filter(action="close_account").exists()


def test_closing_keeps_what_retention_requires_and_removes_the_rest(
        alices, media, django_capture_on_commit_callbacks):
    from recert.api.models import AccessToken
    from recert.core.models import CprAed
    from recert.exports.models import CalendarFeed
    from recert.renewals.models import Invoice
    from recert.verify.models import PublicListing

    alice = alices.alice
    client = _client(alice.user)
    kept_file = Document.objects.get(pk=alices.document.pk).file.path
    removed_file = alices.extra["unclaimed_document"].file.path
    card = CprAed.objects.get(professional=alice).card.path
    with django_capture_on_commit_callbacks(execute=True):  # the files go after commit
        response = client.post("/settings/close/", {"password": alice.user.raw_password,
                                                     "understood": "on"})
    assert response.status_code == 200 and "Your account is closed" in response.content.decode()

    # Kept: the claimed credit, its certificate (ACSM-DOC-1), the renewal's invoice, the
    # certification, the name and the history.
    assert Document.objects.filter(pk=alices.document.pk).exists()
    assert open(kept_file, "rb").read().startswith(b"%PDF")
    assert CreditEntry.all_objects.filter(pk=alices.entry.pk).exists()
    assert Invoice.objects.filter(pk=alices.invoice.pk).exists()
    alice.refresh_from_db()
    assert alice.full_name == "Alice Archer" and alice.certifications.count() == 1
    # Removed: the unclaimed credit and its certificate (row and file), the card, contact
    # details; tokens revoked; the feed and the public listing gone.
    assert not CreditEntry.all_objects.filter(pk=alices.extra["unclaimed"].pk).exists()
    assert not Document.objects.filter(pk=alices.extra["unclaimed_document"].pk).exists()
    assert not os.path.exists(removed_file) and not os.path.exists(card)
    assert not CprAed.objects.filter(professional=alice).exists()
    assert (alice.email, alice.phone, alice.city) == ("", "", "")
    assert not AccessToken.objects.filter(user=alice.user, revoked_at__isnull=True).exists()
    assert not CalendarFeed.objects.filter(professional=alice).exists()
    assert PublicListing.objects.get(professional=alice).opted_out
    user = alice.user.__class__.objects.get(pk=alice.user_id)
    assert not user.is_active and not user.has_usable_password()
    assert user.username != "alice" and user.email.endswith(".invalid")
    assert not user.verified_addresses.exists()
    closing = History.objects.get(action="close_account", professional=alice)
    assert closing.actor_id == user.pk
    assert closing.changes["documents kept"] == [None, "1"]
    assert closing.changes["credits removed"] == [None, "1"]
    assert History.objects.filter(action="delete", professional=alice,
                                  object_id=alices.extra["unclaimed"].pk).exists()
    # Once closed, no e-mail goes to the account.
    from recert.core.mail import ACCOUNT_CLOSED, skip_reason

    assert skip_reason(user) == ACCOUNT_CLOSED


def test_log_in_is_refused_after_closing(alices):
    alice = alices.alice
    raw = alice.user.raw_password
    client = _client(alice.user)
    other_session = _client(alice.user)
    client.post("/settings/close/", {"password": raw, "understood": "on"})
    login = Client().post("/accounts/login/", {"username": "alice", "password": raw})
    assert login.status_code == 200 and "_auth_user_id" not in login.client.session
    # A session opened before the closing ends with it; the API token no longer works.
    response = other_session.get("/credits/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
    api = Client().get("/api/v1/me", headers={
        "Authorization": f"Bearer {alices.extra['access_raw']}"})
    assert api.status_code == 401


def test_closing_twice_changes_nothing(alices):
    from recert.exports.actions import AccountClosed, do_close_account

    alice = alices.alice
    do_close_account(alice, actor=alice.user)
    with pytest.raises(AccountClosed):
        do_close_account(alice, actor=alice.user)
    assert History.objects.filter(action="close_account").count() == 1
