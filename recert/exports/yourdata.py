"""Your data (issue 11, item 10): everything Recert holds about one professional, as one zip
(a JSON document and the files they uploaded), and what closing their account keeps.

Reads only; the writes (the history of an export, closing an account) are in
`recert.exports.actions`.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from recert.core.actions.credits import retention_ends
from recert.core.documents import download_name
from recert.core.models import (
    Certification,
    CreditEntry,
    Document,
    History,
    Professional,
)
from recert.core.models.credits import SUFFIXES

FORMAT = "recert-your-data"
VERSION = 1
# Never exported: secrets (only their hashes are stored anyway), storage paths (the files
# themselves are in the zip), and what staff wrote for staff only.
LEFT_OUT = {"password", "token_hash", "file", "card", "note", "idempotency_key",
            "checkout_url", "checkout_session_id"}
# In memory up to this size, then in a temporary file (documents are up to 10 MB each).
SPOOL_BYTES = 8 * 1024 * 1024


def fields_of(instance: models.Model, *, leave_out: set[str] = frozenset()) -> dict:
    """The stored columns of a row (foreign keys as ids), except what is never exported:
    a field added to a model later is exported without touching this module."""
    out = {}
    for field in instance._meta.concrete_fields:
        if field.name in LEFT_OUT or field.name in leave_out:
            continue
        out[field.attname] = getattr(instance, field.attname)
    return out


def _document(document: Document) -> dict:
    return {**fields_of(document), "in_zip": document_path(document),
            "kept_until": retention_ends(document)}


def document_path(document: Document) -> str:
    return f"documents/{download_name(document)}"


def collect(professional: Professional) -> dict:
    """The JSON document: every row Recert holds about `professional`, grouped as the
    professional sees them."""
    from recert.api.models import AccessToken
    from recert.exports.models import CalendarFeed
    from recert.renewals.models import Invoice, Reminder, Renewal
    from recert.verify.models import IssuedBadge, PublicListing

    user = professional.user
    certifications = []
    for certification in (Certification.all_objects.filter(professional=professional)
                          .select_related("program__body").prefetch_related("cycles")):
        certifications.append({
            **fields_of(certification),
            "body": certification.program.body.code, "program": certification.program.code,
            "program_name": certification.program.name,
            "cycles": [fields_of(c) for c in certification.cycles.all()],
        })
    credits = []
    for entry in (CreditEntry.all_objects.filter(professional=professional)
                  .prefetch_related("documents", "claims", "decisions__body")
                  .order_by("earned_on", "id")):
        decisions = entry.decisions.all()
        credits.append({
            **fields_of(entry),
            "decisions": [{**fields_of(d, leave_out={"decided_by"}), "body": d.body.code}
                          for d in decisions],
            "documents": [_document(d) for d in entry.documents.all()],
            "claimed_by_renewals": [c.renewal_id for c in entry.claims.all()],
        })
    renewals = []
    for renewal in (Renewal.objects.filter(professional=professional)
                    .select_related("body").prefetch_related("items", "claimed_credits")):
        renewals.append({
            **fields_of(renewal), "body": renewal.body.code,
            "items": [fields_of(i) for i in renewal.items.all()],
            "claimed_credits": [fields_of(c) for c in renewal.claimed_credits.all()],
        })
    invoices = []
    for invoice in (Invoice.objects.filter(professional=professional)
                    .prefetch_related("lines").select_related("payment")):
        payment = getattr(invoice, "payment", None)
        invoices.append({
            **fields_of(invoice), "lines": [fields_of(line) for line in invoice.lines.all()],
            "payment": fields_of(payment, leave_out={"recorded_by"}) if payment else None,
        })
    cpr = getattr(professional, "cpr_aed", None) if _has(professional, "cpr_aed") else None
    feed = CalendarFeed.objects.filter(professional=professional).first()
    listing = PublicListing.objects.filter(professional=professional).first()
    return {
        "format": FORMAT, "version": VERSION, "exported_at": timezone.now(),
        "account": {**fields_of(user, leave_out={"is_staff", "is_superuser"}),
                    "verified_addresses": [fields_of(v, leave_out={"user"})
                                           for v in user.verified_addresses.all()]},
        "profile": {**fields_of(professional),
                    "member_ids": [{"body": m.body.code, "member_id": m.member_id}
                                   for m in professional.member_ids.select_related("body")]},
        "public_verification": {"listed": not listing.opted_out} if listing else
                               {"listed": True},
        "certifications": certifications,
        "credits": credits,
        "cpr_aed": {**fields_of(cpr), "in_zip": cpr_path(cpr)} if cpr else None,
        "renewals": renewals,
        "invoices": invoices,
        "reminders": [fields_of(r) for r in Reminder.objects.filter(
            cycle__certification__professional=professional)],
        "calendar_feed": {"created_at": feed.created_at} if feed else None,
        # The badges downloaded, each with its signed text (it can be added to a wallet).
        "open_badges": [
            {"id": f"urn:uuid:{b.uuid}", "body": b.body.code,
             "program": b.certification.program.code, "issued_at": b.issued_at,
             "valid_until": b.valid_until, "key_id": b.key_id, "badge": b.jwt}
            for b in IssuedBadge.objects.filter(certification__professional=professional)
            .select_related("body", "certification__program").order_by("issued_at")],
        "api_tokens": [fields_of(t, leave_out={"prefix"})
                       for t in AccessToken.objects.filter(user=user)],
        "history": [{**fields_of(h, leave_out={"actor", "professional"}),
                     "by": _who(h, user)}
                    for h in History.objects.filter(professional=professional)
                    .select_related("actor")],
    }


def _has(instance, name: str) -> bool:
    try:
        getattr(instance, name)
    except models.ObjectDoesNotExist:
        return False
    return True


def _who(row: History, user) -> str:
    """Who made a change, as the professional's own pages say it (staff by role, not name)."""
    if row.actor_id is None:
        return "the system"
    return "you" if row.actor_id == user.pk else "staff"


def cpr_path(cpr) -> str | None:
    if not cpr.card:
        return None
    return f"cpr-aed/cpr-aed-card{SUFFIXES.get(cpr.card_content_type, '.bin')}"


def build_zip(professional: Professional):
    """The zip (a file object at its start): data.json and every stored file of theirs."""
    data = collect(professional)
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2,
                                                 ensure_ascii=False))
        archive.writestr("README.txt", README)
        documents = Document.objects.filter(credit_entry__professional=professional)
        for document in documents:
            with document.file.open("rb") as stored:
                archive.writestr(document_path(document), stored.read())
        cpr = data["cpr_aed"]
        if cpr and cpr["in_zip"]:
            with professional.cpr_aed.card.open("rb") as stored:
                archive.writestr(cpr["in_zip"], stored.read())
    out.seek(0)
    return out


README = """Your data from Recert

data.json     everything Recert holds about you: your account and profile, certifications
              and their cycles, every credit (with each body's decisions and the documents'
              names and checksums), CPR/AED, renewals, invoices and payments, reminders sent,
              your API tokens' names, and the history of every change.
documents/    the certificates you uploaded, named certificate-<credit>-<document>.
cpr-aed/      your CPR/AED card, when you uploaded one.
"""


@dataclass
class ClosingPlan:
    """What closing an account keeps (the bodies' retention) and removes, on `today`."""

    kept_documents: list[tuple[Document, date]]
    removed_documents: list[Document]
    kept_entries: list[CreditEntry]
    removed_entries: list[CreditEntry]
    renewals: int
    invoices: int


def closing_plan(professional: Professional, today: date) -> ClosingPlan:
    kept_documents, removed_documents = [], []
    documents = (Document.objects.filter(credit_entry__professional=professional)
                 .select_related("credit_entry"))
    for document in documents:
        ends = retention_ends(document)
        if ends is not None and today <= ends:
            kept_documents.append((document, ends))
        else:
            removed_documents.append(document)
    kept_ids = {d.credit_entry_id for d, _ in kept_documents}
    kept_entries, removed_entries = [], []
    for entry in CreditEntry.all_objects.filter(professional=professional).prefetch_related(
            "claims"):
        # A renewal's claim keeps the entry (the renewal's record of what it counted).
        if entry.pk in kept_ids or any(True for _ in entry.claims.all()):
            kept_entries.append(entry)
        else:
            removed_entries.append(entry)
    from recert.renewals.models import Invoice, Renewal

    return ClosingPlan(kept_documents, removed_documents, kept_entries, removed_entries,
                       Renewal.objects.filter(professional=professional).count(),
                       Invoice.objects.filter(professional=professional).count())
