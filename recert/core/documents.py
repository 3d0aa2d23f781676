"""Checks an uploaded document (a certificate) before it is stored: its kind and its size."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError

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
