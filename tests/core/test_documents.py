"""Documents attached to credit entries: checked by content and size before they are kept."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from recert.core.actions.credits import do_attach_document, do_create_credit_entry
from recert.core.models import Document, History

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture
def entry(alice):
    return do_create_credit_entry(alice, actor=alice.user, earned_on=date(2026, 1, 5),
                                  title="Workshop", format="workshop", amount=Decimal("3"),
                                  unit="hour")


@pytest.mark.parametrize("content,kind", [(PDF, "application/pdf"), (PNG, "image/png"),
                                          (JPEG, "image/jpeg")])
def test_accepted_kinds_are_stored_with_hash(entry, media, content, kind, alice):
    upload = SimpleUploadedFile("certificate.bin", content, content_type="text/plain")
    document = do_attach_document(entry, upload, actor=alice.user)
    assert document.content_type == kind  # from the content, not what the browser said
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.size == len(content)
    assert document.original_name == "certificate.bin"
    assert document.file.name.startswith(f"documents/{alice.pk}/")
    assert (media / document.file.name).read_bytes() == content
    assert History.objects.filter(action="attach_document", object_id=entry.pk).exists()


def test_bad_magic_bytes_are_refused(entry, media, alice):
    upload = SimpleUploadedFile("certificate.pdf", b"MZ\x90\x00 not a pdf",
                                content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        do_attach_document(entry, upload, actor=alice.user)
    message = error.value.message_dict["file"][0]
    assert "not a PDF, JPEG or PNG" in message and "Accepted: PDF, JPEG, PNG" in message
    assert not Document.objects.exists()


def test_too_large_is_refused(entry, media, alice, settings):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError) as error:
        do_attach_document(entry, upload, actor=alice.user)
    assert error.value.message_dict["file"] == [
        "The file is 1 MB; the largest accepted is 1 MB."
    ] or "largest accepted is 1 MB" in error.value.message_dict["file"][0]
    assert not Document.objects.exists()


def test_empty_file_is_refused(entry, media, alice):
    with pytest.raises(ValidationError, match="empty"):
        do_attach_document(entry, SimpleUploadedFile("x.pdf", b""), actor=alice.user)


def stored_files(media):
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


@pytest.mark.parametrize("name,content,suffix", [
    ("certificate.bin", PNG, ".png"), ("page.html", PDF, ".pdf"), ("photo.JPEG", JPEG, ".jpg"),
    ("no-suffix", PDF, ".pdf"), ("scan.png", JPEG, ".jpg"),
])
def test_stored_suffix_follows_the_content(entry, media, alice, name, content, suffix):
    document = do_attach_document(entry, SimpleUploadedFile(name, content), actor=alice.user)
    assert document.file.name.endswith(suffix)
    assert document.original_name == name


def test_files_are_deleted_when_the_transaction_rolls_back(entry, media, alice):
    from recert.core.actions.credits import atomic_with_documents

    with pytest.raises(RuntimeError), atomic_with_documents():
        do_attach_document(entry, SimpleUploadedFile("a.pdf", PDF), actor=alice.user)
        do_attach_document(entry, SimpleUploadedFile("b.png", PNG), actor=alice.user)
        assert len(stored_files(media)) == 2
        raise RuntimeError("later step failed")
    assert stored_files(media) == [] and not Document.objects.exists()
    # An inner block that succeeded is undone with the outer one.
    with pytest.raises(RuntimeError), atomic_with_documents():
        with atomic_with_documents():
            do_attach_document(entry, SimpleUploadedFile("a.pdf", PDF), actor=alice.user)
        raise RuntimeError("later step failed")
    assert stored_files(media) == [] and not Document.objects.exists()
    # A committed block keeps its files.
    with atomic_with_documents():
        do_attach_document(entry, SimpleUploadedFile("a.pdf", PDF), actor=alice.user)
    assert len(stored_files(media)) == 1


def test_a_failed_attach_leaves_no_file(entry, media, alice, monkeypatch):
    from recert.core.actions import credits

    def fail(*args, **kwargs):
        raise RuntimeError("history unavailable")

    monkeypatch.setattr(credits.history, "record", fail)
    with pytest.raises(RuntimeError):
        do_attach_document(entry, SimpleUploadedFile("a.pdf", PDF), actor=alice.user)
    assert stored_files(media) == []
