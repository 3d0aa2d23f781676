"""Uploaded documents (certificates): checked before they are stored (kind and size), and
served back as attachments under a name Recert makes."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse

from recert.core.models.credits import SUFFIXES

# What we accept, by the first bytes of the file (never by its name or declared type).
SIGNATURES = (
    (b"%PDF-", "application/pdf", "PDF"),
    (b"\xff\xd8\xff", "image/jpeg", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG"),
)
ACCEPTED = ", ".join(name for _, _, name in SIGNATURES)


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".rstrip("0").rstrip(".") + " MB"


def validate_document(uploaded, *, field: str = "file") -> str:
    """The content type of an acceptable upload; ValidationError naming `field` otherwise."""
    limit = settings.DOCUMENT_MAX_BYTES
    size = uploaded.size
    if size is None or size == 0:
        raise ValidationError({field: "The file is empty. Upload a PDF, JPEG or PNG file."})
    if size > limit:
        raise ValidationError({field: (
            f"The file is {_megabytes(size)}; the largest accepted is {_megabytes(limit)}."
        )})
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    for signature, content_type, _name in SIGNATURES:
        if head.startswith(signature):
            return content_type
    raise ValidationError({field: (
        "This file is not a PDF, JPEG or PNG document "
        f"(its content was checked, not its name). Accepted: {ACCEPTED}."
    )})


def download_name(document) -> str:
    """The name a download is saved under: made by Recert from the entry, the document and
    the checked type. The uploaded name (kept for staff) never reaches the header, so it can
    neither choose the extension nor smuggle characters into Content-Disposition."""
    suffix = SUFFIXES.get(document.content_type, ".bin")
    return f"certificate-{document.credit_entry_id}-{document.pk}{suffix}"


def serve_document(document) -> FileResponse:
    """The stored file as an attachment (never shown inline as a page of this site), typed
    as its content was checked to be (anything else as bytes), with nosniff and a sandbox."""
    content_type = document.content_type if document.content_type in SUFFIXES \
        else "application/octet-stream"
    response = FileResponse(document.file.open("rb"), content_type=content_type,
                            as_attachment=True, filename=download_name(document))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
