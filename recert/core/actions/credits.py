"""Logging and changing credit entries, attaching documents (deleting and restoring:
history.do_soft_delete / do_restore)."""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

from recert.core.actions import history
from recert.core.documents import validate_document
from recert.core.models import CreditEntry, Document, History, Professional

CREDIT_FIELDS = [
    "earned_on", "reported_on", "title", "format", "amount", "unit", "awarded_by", "provider",
    "course_number", "credit_type", "grade", "published_on", "petition", "source",
]


@transaction.atomic
def do_create_credit_entry(professional: Professional, *, actor, **fields) -> CreditEntry:
    unknown = set(fields) - set(CREDIT_FIELDS)
    if unknown:
        raise ValueError(f"not credit entry fields: {sorted(unknown)}")
    entry = CreditEntry(professional=professional, **fields)
    entry.full_clean()
    entry.save()
    after = history.snapshot(entry, CREDIT_FIELDS)
    history.record(History.Action.CREATE, entry, actor=actor, professional=professional,
                   changes={k: [None, v] for k, v in after.items() if v not in (None, "")})
    return entry


@transaction.atomic
def do_update_credit_entry(entry: CreditEntry, *, actor, **fields) -> CreditEntry:
    return history.update(entry, fields, CREDIT_FIELDS, actor=actor,
                          professional=entry.professional)


@transaction.atomic
def do_attach_document(entry: CreditEntry, uploaded, *, actor) -> Document:
    """Stores a checked upload with the entry (see recert.core.documents)."""
    content_type = validate_document(uploaded, field="file")
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    document = Document(
        credit_entry=entry,
        original_name=(getattr(uploaded, "name", "") or "document")[-255:],
        content_type=content_type,
        size=uploaded.size,
        sha256=digest.hexdigest(),
    )
    document.file.save(uploaded.name or "document", uploaded, save=False)
    stored = _stored_files.get()
    if stored is not None:
        stored.append((document.file.storage, document.file.name))
    try:
        document.save()
        history.record(History.Action.ATTACH_DOCUMENT, entry, actor=actor,
                       professional=entry.professional,
                       changes={"document": [None, document.original_name],
                                "sha256": [None, document.sha256]})
    except BaseException:
        if stored is None:  # otherwise atomic_with_documents deletes it
            document.file.storage.delete(document.file.name)
        raise
    return document


# Files stored by do_attach_document inside the innermost atomic_with_documents block.
_stored_files: ContextVar[list | None] = ContextVar("recert_stored_files", default=None)


@contextmanager
def atomic_with_documents():
    """transaction.atomic() that also deletes the files of the documents attached inside it
    when it rolls back: the database forgets the rows, and the disk must forget the files.

    (transaction.on_commit never runs on a rollback, so the clean-up is done here.)"""
    outer = _stored_files.get()
    stored: list = []
    token = _stored_files.set(stored)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        for storage, name in stored:
            storage.delete(name)
        raise
    else:
        if outer is not None:  # an enclosing block may still roll back
            outer.extend(stored)
    finally:
        _stored_files.reset(token)
