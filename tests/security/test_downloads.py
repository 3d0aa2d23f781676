"""Downloads: every uploaded document is an attachment under a name Recert makes, typed as
its content was checked to be, with nosniff (issue 11, item 8)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from recert.core.actions.credits import do_attach_document
from tests.factories import log

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.mark.parametrize("uploaded_as,content,kind,suffix", [
    ("evil.html", PNG, "image/png", ".png"),
    ('x"; filename="y.exe', JPEG, "image/jpeg", ".jpg"),
    ("../../passwd.svg", PDF, "application/pdf", ".pdf"),
])
def test_owner_and_staff_download_an_attachment_with_a_safe_name(
        alice, sam, media, uploaded_as, content, kind, suffix):
    entry = log(alice, date(2026, 2, 1), "2")
    document = do_attach_document(entry, SimpleUploadedFile(uploaded_as, content,
                                                            content_type="text/html"),
                                  actor=alice.user)
    expected = f'attachment; filename="certificate-{entry.pk}-{document.pk}{suffix}"'
    owner, staff = Client(), Client()
    owner.force_login(alice.user)
    staff.force_login(sam)
    for client, url in ((owner, f"/credits/{entry.pk}/documents/{document.pk}/"),
                        (staff, f"/admin/core/document/{document.pk}/download/")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Disposition"] == expected, url
        assert response["Content-Type"] == kind, url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert b"".join(response.streaming_content) == content


def test_a_stored_type_outside_the_checked_ones_is_served_as_bytes(alice, media):
    entry = log(alice, date(2026, 2, 1), "2")
    document = do_attach_document(entry, SimpleUploadedFile("a.pdf", PDF), actor=alice.user)
    document.content_type = "text/html"  # a row from before the content check
    document.save()
    client = Client()
    client.force_login(alice.user)
    response = client.get(f"/credits/{entry.pk}/documents/{document.pk}/")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment; ")
    assert response["Content-Disposition"].endswith('.bin"')
