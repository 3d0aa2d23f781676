"""Credits: list (filters, cursor pages), create (one or a batch), read, update (If-Match),
delete, restore, history, documents, and the engine's preview of a draft.

Input goes through the report form of the pages (recert.front.forms.CreditForm) with the
same context (the engine's cycles, the bodies' policies); its messages are the problem's."""


import base64
import binascii
import hashlib
import json
from datetime import date
from typing import Annotated

from django import forms
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from ninja import File, Header, Query, Router, Schema, UploadedFile
from ninja.responses import NinjaJSONEncoder
from pydantic import Field

from recert.api.idempotency import idempotent
from recert.api.problems import ApiProblem, form_errors, invalid
from recert.api.routes.common import MAX_ID, Id, responses
from recert.api.schemas import (
    CreditBatchIn,
    CreditBatchOut,
    CreditIn,
    CreditOut,
    CreditPage,
    DocumentOut,
    HistoryOut,
    PreviewIn,
    PreviewOut,
)
from recert.core.actions.credits import (
    atomic_with_documents,
    do_attach_document,
    do_create_credit_entry,
    do_delete_credit_entry,
    do_update_credit_entry,
)
from recert.core.actions.history import do_restore
from recert.core.credits_query import filter_entries
from recert.core.evaluation import preview_of
from recert.core.models import CreditEntry, History
from recert.core.models.credits import AWARDING_ORGANIZATIONS
from recert.front.forms import (
    OTHER,
    CreditForm,
    draft_problem,
    draft_values,
    organization_of,
)
from recert.front.views.credits import FilterForm
from recert.front.views.report import DRAFT_ID, form_context
from recert.rules import CreditIn as EngineCredit
from recert.rules.case import evaluation_json, format_decimal

router = Router(tags=["credits"])
# The form's names → the API's (the form's "provider" is the organization list).
RENAME = {"provider": "organization", "provider_other": "provider"}
IdempotencyKey = Annotated[str | None, Header(
    None, alias="Idempotency-Key", max_length=255,
    description="Retrying with the same key returns the first response (kept 24 hours).")]
Upload = Annotated[UploadedFile, File(description="A PDF, JPEG or PNG file.")]
IfMatch = Annotated[str | None, Header(
    None, alias="If-Match", max_length=200,
    description="The entry's version (its ETag), as last read.")]


# --- output --------------------------------------------------------------------------------

def version(entry: CreditEntry) -> str:
    stamp = f"{entry.pk}:{entry.updated_at.isoformat()}:{entry.deleted_at}"
    return hashlib.sha256(stamp.encode()).hexdigest()[:20]


def etag(entry: CreditEntry) -> str:
    return f'"{version(entry)}"'


def credit_out(entry: CreditEntry) -> dict:
    choice, _ = organization_of(entry.awarded_by, entry.provider)
    return {
        "id": entry.pk, "version": version(entry), "earned_on": entry.earned_on,
        "reported_on": entry.reported_on, "title": entry.title, "format": entry.format,
        "amount": format_decimal(entry.amount), "unit": entry.unit,
        "credit_type": entry.credit_type,
        "organization": "OTHER" if choice in (OTHER, "") else choice,
        "awarded_by": entry.awarded_by, "provider": entry.provider,
        "course_number": entry.course_number, "grade": entry.grade,
        "published_on": entry.published_on, "petition": entry.petition,
        "source": entry.source, "confirmed": entry.confirmation(),
        "deleted": entry.deleted_at is not None,
        "documents": [document_out(d) for d in entry.documents.all()],
    }


def document_out(document) -> dict:
    return {"id": document.pk, "name": document.original_name,
            "content_type": document.content_type, "size": document.size,
            "sha256": document.sha256, "uploaded_at": document.uploaded_at}


def json_response(data, status: int = 200, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(json.dumps(data, cls=NinjaJSONEncoder), status=status,
                            content_type="application/json")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def entry_response(entry: CreditEntry, status: int = 200) -> HttpResponse:
    entry = _entries(entry.professional, deleted_too=True).get(pk=entry.pk)
    return json_response(credit_out(entry), status, {
        "ETag": etag(entry), "Location": reverse("api-v1:credit", args=[entry.pk])})


def _entries(professional, *, deleted_too: bool = False):
    manager = CreditEntry.all_objects if deleted_too else CreditEntry.objects
    return (manager.filter(professional=professional)
            .prefetch_related("documents", "decisions__body", "claims__renewal__body"))


def _own(request, entry_id: int, *, deleted_too: bool = False) -> CreditEntry:
    entry = _entries(request.auth.professional(), deleted_too=deleted_too).filter(
        pk=entry_id).first()
    if entry is None:
        raise ApiProblem(404, "No such credit entry, or not yours.")
    return entry


# --- input through the page's form -----------------------------------------------------------

def form_input(payload: CreditIn, prefix: str = "") -> tuple[dict, MultiValueDict]:
    """The form's data and files for a payload; undecodable documents are problems."""
    organization = (payload.organization or "").strip()
    data = {
        "earned_on": payload.earned_on or "", "format": payload.format or "",
        "amount": payload.amount or "", "unit": payload.unit or "cec",
        "credit_type": payload.credit_type or "cec",
        "provider": OTHER if organization.upper() == "OTHER" else organization,
        "provider_other": payload.provider or "", "course_number": payload.course_number or "",
        "title": payload.title or "", "grade": payload.grade or "",
        "published_on": payload.published_on or "",
    }
    files, errors = [], []
    for i, document in enumerate(payload.documents):
        try:
            content = base64.b64decode(document.content_base64, validate=True)
        except (binascii.Error, ValueError):
            errors.append({"field": f"{prefix}documents[{i}].content_base64",
                           "message": "Send the file's bytes in base64."})
            continue
        try:
            files.append(SimpleUploadedFile(document.name or "document", content))
        except SuspiciousFileOperation:
            errors.append({"field": f"{prefix}documents[{i}].name",
                           "message": "Give the file's name, like certificate.pdf."})
    if errors:
        raise invalid(errors)
    return data, MultiValueDict({"documents": files} if files else {})


def valid_form(payload: CreditIn, context: dict, *, prefix: str = "",
               documents_on_file: int = 0) -> CreditForm:
    data, files = form_input(payload, prefix)
    form = CreditForm(data, files, documents_on_file=documents_on_file,
                      **context["form_kwargs"])
    if not form.is_valid():
        raise invalid(form_errors(form, prefix=prefix, rename=RENAME))
    return form


def _create(professional, form: CreditForm, actor) -> CreditEntry:
    entry = do_create_credit_entry(professional, actor=actor, **form.entry_fields())
    for uploaded in form.cleaned_data["documents"]:
        do_attach_document(entry, uploaded, actor=actor)
    return entry


# --- list ----------------------------------------------------------------------------------

class ApiFilterForm(FilterForm):
    """The credit list's filters, plus the awarding organization."""

    body = forms.ChoiceField(required=False, choices=[("", "Any")] + [
        (code, code) for code in AWARDING_ORGANIZATIONS], error_messages={
        "invalid_choice": "Choose one of the awarding organizations: "
                          + ", ".join(AWARDING_ORGANIZATIONS) + "."})


class CreditFilters(Schema):
    body: str | None = Field(None, max_length=20, description="Awarding organization.")
    date_from: str | None = Field(None, max_length=40, description="Earned on or after.")
    date_to: str | None = Field(None, max_length=40, description="Earned on or before.")
    format: str | None = Field(None, max_length=40)
    provider: str | None = Field(None, max_length=200, description="Part of the name.")
    deleted: bool = Field(False, description="List deleted entries (to restore) instead.")
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


def _cursor(raw: str) -> tuple[date, int]:
    try:
        text = base64.urlsafe_b64decode(raw.encode() + b"=" * (-len(raw) % 4)).decode()
        day, pk = text.split(",")
        if not 0 < int(pk) <= MAX_ID:
            raise ValueError(pk)
        return date.fromisoformat(day), int(pk)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise invalid([{"field": "cursor", "message": "Pass the next_cursor of the previous "
                                                      "page unchanged."}]) from None


def _encode_cursor(entry: CreditEntry) -> str:
    raw = f"{entry.earned_on.isoformat()},{entry.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@router.get("/credits", response=responses({200: CreditPage}), url_name="credits",
            summary="Your credit entries, newest first, a page at a time")
def credit_list(request, filters: Query[CreditFilters]):
    form = ApiFilterForm({k: v for k, v in filters.dict().items()
                          if k in ApiFilterForm.base_fields and v is not None})
    if not form.is_valid():
        raise invalid(form_errors(form))
    values = form.cleaned_data
    entries = _entries(request.auth.professional(), deleted_too=filters.deleted)
    if filters.deleted:
        entries = entries.filter(deleted_at__isnull=False)
    entries = filter_entries(entries, values)
    if filters.cursor:
        day, pk = _cursor(filters.cursor)
        entries = entries.filter(Q(earned_on__lt=day) | Q(earned_on=day, pk__lt=pk))
    page = list(entries.order_by("-earned_on", "-pk")[:filters.limit + 1])
    more = len(page) > filters.limit
    page = page[:filters.limit]
    return {"items": [credit_out(e) for e in page],
            "next_cursor": _encode_cursor(page[-1]) if more else None}


# --- create --------------------------------------------------------------------------------

@router.post("/credits", response=responses({201: CreditOut}, 409),
             summary="Report a credit (as the report form)")
@idempotent
def credit_create(request, payload: CreditIn, idempotency_key: IdempotencyKey = None):
    professional = request.auth.professional()
    form = valid_form(payload, form_context(professional))
    with atomic_with_documents():
        entry = _create(professional, form, request.auth.user)
    return entry_response(entry, 201)


@router.post("/credits/batch", response=responses({201: CreditBatchOut}, 409),
             summary="Report several credits: all are saved, or none")
@idempotent
def credit_batch(request, payload: CreditBatchIn, idempotency_key: IdempotencyKey = None):
    professional = request.auth.professional()
    context = form_context(professional)
    valid, errors = [], []
    for i, item in enumerate(payload.credits):
        try:
            valid.append(valid_form(item, context, prefix=f"credits[{i}]."))
        except ApiProblem as problem:
            errors.extend(problem.errors)
    if errors:
        raise invalid(errors, f"{len({e['field'].split('.')[0] for e in errors})} of "
                              f"{len(payload.credits)} credits have problems; none was saved.")
    with atomic_with_documents():
        entries = [_create(professional, form, request.auth.user) for form in valid]
    ids = [e.pk for e in entries]
    rows = {e.pk: e for e in _entries(professional).filter(pk__in=ids)}
    return json_response({"items": [credit_out(rows[pk]) for pk in ids]}, 201)


@router.post("/credits/preview", response=responses({200: PreviewOut}),
             summary="How a draft would count (nothing is saved)", exclude_unset=True)
def credit_preview(request, payload: PreviewIn):
    professional = request.auth.professional()
    data, _ = form_input(payload)
    problem = draft_problem(data)
    if problem:
        raise invalid([{"field": "amount", "message": problem}])
    values = draft_values(data)
    if values is None:
        raise invalid([], "Enter the date, format, number of credits and unit to see how it "
                          "counts.")
    try:
        standing = preview_of(professional, timezone.localdate(),
                              EngineCredit(id=DRAFT_ID, **values), replaces=payload.replaces)
    except (KeyError, ValueError, ArithmeticError):
        raise invalid([], "This combination cannot be evaluated yet; check the format and "
                          "unit.") from None
    return {"draft_id": DRAFT_ID, "evaluation": evaluation_json(standing.evaluation)}


# --- one entry -----------------------------------------------------------------------------

@router.get("/credits/{entry_id}", response=responses({200: CreditOut}), url_name="credit",
            summary="One credit entry (its ETag is its version)")
def credit_detail(request, entry_id: Id):
    entry = _own(request, entry_id)
    return json_response(credit_out(entry), headers={"ETag": etag(entry)})


def _check_version(entry: CreditEntry, if_match: str | None, *, required: bool) -> None:
    if if_match is None:
        if required:
            raise ApiProblem(428, "Send If-Match with the entry's version (its ETag, from "
                                  "GET /credits/{entry_id}), so that a change made meanwhile "
                                  "is not overwritten.")
        return
    wanted = {v.strip().removeprefix("W/") for v in if_match.split(",")}
    if "*" not in wanted and etag(entry) not in wanted and version(entry) not in wanted:
        raise ApiProblem(412, "The entry changed since you read it (its version is now "
                              f"{version(entry)}). Read it again and repeat your change.",
                         headers={"ETag": etag(entry)})


@router.put("/credits/{entry_id}", response=responses({200: CreditOut}, 409, 412, 428),
            summary="Change a credit entry (all its fields, as the edit form)")
def credit_update(request, entry_id: Id, payload: CreditIn, if_match: IfMatch = None):
    entry = _own(request, entry_id)
    professional = entry.professional
    form = valid_form(payload, form_context(professional),
                      documents_on_file=len(entry.documents.all()))
    with atomic_with_documents():
        locked = CreditEntry.objects.select_for_update().get(pk=entry.pk)
        _check_version(locked, if_match, required=True)
        do_update_credit_entry(locked, actor=request.auth.user, **form.entry_fields())
        for uploaded in form.cleaned_data["documents"]:
            do_attach_document(locked, uploaded, actor=request.auth.user)
    return entry_response(locked)


@router.delete("/credits/{entry_id}", response=responses({204: None}, 409, 412),
               summary="Delete a credit entry (restorable)")
def credit_delete(request, entry_id: Id, if_match: IfMatch = None):
    entry = _own(request, entry_id)
    with transaction.atomic():
        locked = CreditEntry.objects.select_for_update().get(pk=entry.pk)
        _check_version(locked, if_match, required=False)
        do_delete_credit_entry(locked, actor=request.auth.user)
    return HttpResponse(status=204)


@router.post("/credits/{entry_id}/restore", response=responses({200: CreditOut}, 409),
             summary="Restore a deleted credit entry")
@idempotent
def credit_restore(request, entry_id: Id, idempotency_key: IdempotencyKey = None):
    entry = _own(request, entry_id, deleted_too=True)
    do_restore(entry, actor=request.auth.user)
    return entry_response(entry)


@router.get("/credits/{entry_id}/history", response=responses({200: list[HistoryOut]}),
            summary="What changed on the entry, oldest first")
def credit_history(request, entry_id: Id):
    entry = _own(request, entry_id, deleted_too=True)
    rows = History.objects.of(entry).select_related("actor").order_by("at", "id")
    user = request.auth.user
    return [{"at": h.at, "action": h.action,
             "by": ("you" if h.actor_id == user.pk else h.actor.get_username())
             if h.actor_id else "the system",
             "changes": {k: list(v) for k, v in h.changes.items()
                         if isinstance(v, list)}} for h in rows]


class DocumentsForm(forms.Form):
    """The report form's documents field and its checks (content and size)."""

    documents = CreditForm.base_fields["documents"]

    def clean_documents(self):
        return CreditForm.clean_documents(self)


@router.post("/credits/{entry_id}/documents", response=responses({201: DocumentOut}, 409, 413),
             summary="Attach a document (multipart/form-data, field `file`)")
@idempotent
def document_upload(request, entry_id: Id, file: Upload,
                    idempotency_key: IdempotencyKey = None):
    entry = _own(request, entry_id)
    form = DocumentsForm(files=MultiValueDict({"documents": [file]}))
    if not form.is_valid():
        raise invalid(form_errors(form, rename={"documents": "file"}))
    with atomic_with_documents():
        document = do_attach_document(entry, form.cleaned_data["documents"][0],
                                      actor=request.auth.user)
    return json_response(document_out(document), 201)
