"""Logging and changing credit entries, attaching documents (deleting and restoring:
history.do_soft_delete / do_restore)."""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from recert.core.actions import history
from recert.core.documents import validate_document
from recert.core.models import (
    CertifyingBody,
    CreditDecision,
    CreditEntry,
    Document,
    History,
    Professional,
)

CREDIT_FIELDS = [
    "earned_on", "reported_on", "title", "format", "amount", "unit", "awarded_by", "provider",
    "course_number", "credit_type", "grade", "published_on", "petition", "source",
]
# do_create_credit_entry also takes the reason of a staff entry.
CREATE_FIELDS = [*CREDIT_FIELDS, "staff_reason"]
# What the professional may change on an entry whose facts are confirmed.
OPEN_FIELDS = ["title"]
FACT_LABELS = {
    "earned_on": "date earned", "amount": "number of credits", "unit": "unit",
    "format": "format", "provider": "provider", "awarded_by": "awarding organization",
    "course_number": "course number", "credit_type": "credit type", "grade": "grade",
    "published_on": "publication date",
}


class EntryConfirmed(ValidationError):
    """A change the professional may not make to a confirmed entry; the message says whom
    to ask."""


def locked_changes(entry: CreditEntry, fields: dict) -> list[str]:
    """The confirmed facts that `fields` would change (empty while the entry is the
    professional's own to change)."""
    if entry.pk is None or entry.confirmation() is None:
        return []
    return [name for name in CreditEntry.FACT_FIELDS
            if name in fields and fields[name] != getattr(entry, name)]


def confirmed_message(entry: CreditEntry, changed: list[str]) -> str:
    names = ", ".join(FACT_LABELS.get(n, n) for n in changed)
    return (f"The {names} of “{entry.title}” cannot be changed here: the entry is "
            f"{entry.confirmation()}. You can still change its course name and add documents.")


@transaction.atomic
def do_create_credit_entry(professional: Professional, *, actor, **fields) -> CreditEntry:
    unknown = set(fields) - set(CREATE_FIELDS)
    if unknown:
        raise ValueError(f"not credit entry fields: {sorted(unknown)}")
    entry = CreditEntry(professional=professional, **fields)
    entry.full_clean()
    entry.save()
    after = history.snapshot(entry, CREATE_FIELDS)
    history.record(History.Action.CREATE, entry, actor=actor, professional=professional,
                   changes={k: [None, v] for k, v in after.items() if v not in (None, "")})
    return entry


@transaction.atomic
def do_update_credit_entry(entry: CreditEntry, *, actor, **fields) -> CreditEntry:
    """The professional's change. On a confirmed entry only the title may change: a changed
    fact is refused (EntryConfirmed) and nothing is written. Review state (source,
    petition) is never the professional's to set here."""
    for name in ("source", "petition", "staff_reason"):
        if name in fields and fields[name] != getattr(entry, name):
            raise ValueError(f"{name} changes through staff actions, not an edit")
    fields = {k: v for k, v in fields.items() if k not in ("source", "petition")}
    entry = CreditEntry.all_objects.select_for_update().get(pk=entry.pk)
    changed = locked_changes(entry, fields)
    if changed:
        raise EntryConfirmed(confirmed_message(entry, changed), code="confirmed")
    return history.update(entry, fields, CREDIT_FIELDS, actor=actor,
                          professional=entry.professional)


@transaction.atomic
def do_correct_credit_entry(entry: CreditEntry, *, actor, reason: str,
                            **fields) -> CreditEntry:
    """Staff enter a correction of the entry's facts, with the reason the professional
    sees on the entry. The entry becomes confirmed (source: staff)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"staff_reason": "Enter the reason for the change; the "
                                               "professional sees it on the entry."})
    entry = CreditEntry.all_objects.select_for_update().get(pk=entry.pk)
    fields = {**fields, "source": CreditEntry.STAFF}
    before = history.snapshot(entry, CREDIT_FIELDS + ["staff_reason"])
    for name, value in fields.items():
        if name not in CREDIT_FIELDS:
            raise ValueError(f"not a credit entry field: {name}")
        setattr(entry, name, value)
    entry.staff_reason = reason
    entry.full_clean()
    entry.save()
    changes = history.diff(before, history.snapshot(entry, CREDIT_FIELDS + ["staff_reason"]))
    changes["reason"] = [None, reason]
    history.record(History.Action.CORRECT, entry, actor=actor, professional=entry.professional,
                   changes=changes)
    return entry


@transaction.atomic
def do_decide_credit_entry(entry: CreditEntry, body: CertifyingBody, outcome: str, *,
                           actor, reason: str, counted_as: Decimal | None = None,
                           note: str = "", answers_petition: bool = False) -> CreditDecision:
    """A reviewer's decision on what the credit is worth for `body` only (REVIEW-1): the
    other bodies keep evaluating it by their own rules. Replaces that body's earlier
    decision (the history keeps it). `answers_petition`: the decision answers the entry's
    petition, which becomes approved or denied."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason for the decision; the "
                                         "professional sees it on the entry."})
    if outcome not in dict(CreditDecision.OUTCOMES):
        raise ValidationError({"outcome": "Choose accepted or rejected."})
    if counted_as is not None and outcome != CreditDecision.ACCEPTED:
        raise ValidationError({"counted_as": "Only an accepted credit has an amount counted."})
    entry = CreditEntry.all_objects.select_for_update().get(pk=entry.pk)
    decision = CreditDecision.objects.filter(credit_entry=entry, body=body).first()
    old = ([decision.outcome, history._jsonable(decision.counted_as)]
           if decision else [None, None])
    if decision is None:
        decision = CreditDecision(credit_entry=entry, body=body)
    decision.outcome = outcome
    decision.counted_as = counted_as
    decision.reason = reason
    decision.note = note
    decision.decided_by = actor if getattr(actor, "pk", None) else None
    decision.decided_at = timezone.now()
    decision.full_clean()
    decision.save()
    changes = {"body": [None, body.code], "outcome": [old[0], outcome],
               "reason": [None, reason]}
    if counted_as is not None or old[1] is not None:
        changes["counted_as"] = [old[1], history._jsonable(counted_as)]
    if answers_petition and entry.petition:
        petition = "approved" if outcome == CreditDecision.ACCEPTED else "denied"
        if entry.petition != petition:
            changes["petition"] = [entry.petition, petition]
            entry.petition = petition
            entry.save(update_fields=["petition", "updated_at"])
    history.record(History.Action.DECIDE, entry, actor=actor, professional=entry.professional,
                   changes=changes)
    return decision


@transaction.atomic
def do_delete_credit_entry(entry: CreditEntry, *, actor, reason: str = "") -> CreditEntry:
    """history.do_soft_delete, except that a confirmed entry is deleted only with a reason
    (staff's paths); the professional's delete of it is refused (EntryConfirmed)."""
    if entry.deleted_at is None and entry.confirmation() and not reason.strip():
        raise EntryConfirmed(f"“{entry.title}” cannot be deleted here: it is "
                             f"{entry.confirmation()}.", code="confirmed")
    return history.do_soft_delete(entry, actor=actor, reason=reason.strip())


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


def retention_ends(document: Document) -> date | None:
    """The last day a claimed credit's document must be kept (ACSM-DOC-1, ACE-DOC-1: the
    body's `documents.retention_years` from the renewal or from completion); None when no
    renewal claimed it. The latest over every renewal that claimed the entry."""
    from recert.core.policies import current_policies

    entry = document.credit_entry
    bodies = current_policies().bodies
    ends = []
    for claim in entry.claims.select_related("renewal__body").exclude(
            renewal__status="cancelled"):
        renewal = claim.renewal
        body = bodies.get(renewal.body.code)
        policy = body.param("documents", renewal.requested_on, default=None) if body else None
        if policy is None or not policy.retention_years:
            continue
        anchor = entry.earned_on if policy.retention_from == "completion" else (
            renewal.completed_at.date() if renewal.completed_at else renewal.requested_on)
        years = int(policy.retention_years)
        try:
            ends.append(anchor.replace(year=anchor.year + years))
        except ValueError:  # February 29
            ends.append(anchor.replace(year=anchor.year + years, day=28))
    return max(ends, default=None)


@transaction.atomic
def do_remove_document(document: Document, *, actor, today: date | None = None) -> None:
    """Removes a document from its entry, unless a renewal claimed the entry and the body's
    retention period still runs (the audit depends on it)."""
    today = today or timezone.localdate()
    ends = retention_ends(document)
    if ends is not None and today <= ends:
        raise EntryConfirmed(
            f"“{document.original_name}” must be kept until {ends:%m/%d/%Y}: a renewal "
            "claimed this credit and the certifying body may audit it. You can add "
            "documents, not remove them.", code="retained")
    entry = document.credit_entry
    name, digest = document.original_name, document.sha256
    storage, stored = document.file.storage, document.file.name
    document.delete()
    transaction.on_commit(lambda: storage.delete(stored))
    history.record(History.Action.REMOVE_DOCUMENT, entry, actor=actor,
                   professional=entry.professional,
                   changes={"document": [name, None], "sha256": [digest, None]})


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
