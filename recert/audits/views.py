"""The professional's side of the audit: their cases, one page per case (what each proof
must show, documents per credit, a note, what is missing, submit), replacements and
appeals. Every request finds the case through recert.core.access (their own only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from recert.audits import actions
from recert.audits.models import AuditCase, AuditItem
from recert.core.access import access_audit_case
from recert.core.actions.credits import atomic_with_documents
from recert.core.models import CreditEntry, Document
from recert.renewals.models import ClaimedCredit, Renewal


def _case(request: HttpRequest, case_id: int) -> AuditCase:
    return access_audit_case(request.user, case_id, own=True)


def _item(case: AuditCase, item_id: int) -> AuditItem:
    item = case.items.select_related("credit_entry", "case__audit__body").filter(
        pk=item_id).first()
    if item is None:
        raise Http404("No such credit in this audit.")
    return item


def _replacement_choices(case: AuditCase, today):
    if case.replacement_due_on is None or case.status not in AuditCase.ANSWERING:
        return []
    claimed = ClaimedCredit.objects.exclude(renewal__status=Renewal.CANCELLED).values(
        "credit_entry_id")
    return list(CreditEntry.objects.filter(professional=case.professional, earned_on__lte=today)
                .exclude(pk__in=claimed).exclude(audit_items__case=case)
                .order_by("-earned_on", "-pk")[:100])


def case_page(request: HttpRequest, case: AuditCase, *, errors: dict | None = None,
              status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    items = list(case.items.select_related("credit_entry").prefetch_related(
        Prefetch("documents", Document.objects.order_by("pk")),
        Prefetch("appeal_documents", Document.objects.order_by("pk")),
        Prefetch("credit_entry__documents", Document.objects.order_by("pk"))))
    errors = errors or {}
    for item in items:
        item.errors = errors.get(f"item-{item.pk}", []) + errors.get(f"appeal-{item.pk}", [])
        attached = {d.pk for d in item.documents.all()}
        item.available = [d for d in item.credit_entry.documents.all() if d.pk not in attached]
    cycles = list(case.renewal.items.filter(active=True).select_related(
        "cycle", "certification__program"))
    deadline = case.deadline()
    return render(request, "audits/case.html", {
        "case": case, "items": items, "cycles": cycles, "errors": errors,
        "general_errors": [m for k in ("submit", "documents", "__all__")
                           for m in errors.get(k, [])],
        "other_errors": [(k, v) for k, v in errors.items() if not k.startswith(
            ("item-", "appeal-")) and k not in ("submit", "documents", "__all__")],
        "answering": case.status in AuditCase.ANSWERING,
        "missing": [i for i in items if not i.locked_at_submission and not i.documents.all()],
        "deadline": deadline, "days_left": (deadline - today).days if deadline else None,
        "replacement_choices": _replacement_choices(case, today),
    }, status=status)


def _refused(request: HttpRequest, case: AuditCase, error: ValidationError, key: str):
    errors = error.message_dict if hasattr(error, "error_dict") else {key: error.messages}
    return case_page(request, case, errors=errors, status=400)


@login_required
def cases(request: HttpRequest) -> HttpResponse:
    cases = (AuditCase.objects.filter(professional__user=request.user)
             .select_related("audit__body").order_by("-audit__year", "-pk"))
    return render(request, "audits/cases.html", {"cases": cases})


@login_required
def case(request: HttpRequest, case_id: int) -> HttpResponse:
    return case_page(request, _case(request, case_id))


@require_POST
@login_required
def attach(request: HttpRequest, case_id: int, item_id: int) -> HttpResponse:
    case = _case(request, case_id)
    item = _item(case, item_id)
    today = timezone.localdate()
    uploads = request.FILES.getlist("file")
    chosen = request.POST.getlist("document")
    if not uploads and not chosen:
        return case_page(request, case, status=400, errors={
            f"item-{item.pk}": ["Choose a file to upload or a document of this credit."]})
    try:
        with atomic_with_documents():
            for uploaded in uploads:
                actions.do_attach_audit_document(item, actor=request.user, today=today,
                                                 uploaded=uploaded)
            for pk in chosen:
                document = Document.objects.filter(
                    pk=pk if str(pk).isdigit() else 0, credit_entry=item.credit_entry).first()
                actions.do_attach_audit_document(item, actor=request.user, today=today,
                                                 document=document)
    except ValidationError as error:
        return case_page(request, case, status=400, errors={
            f"item-{item.pk}": [f"{k}: {m}" if k != "__all__" else m
                                for k, ms in _dict(error).items() for m in ms]})
    messages.success(request, f"Proof added to “{item.credit_entry.title}”.")
    return redirect("audits:case", case.pk)


def _dict(error: ValidationError) -> dict:
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


@require_POST
@login_required
def detach(request: HttpRequest, case_id: int, item_id: int, document_id: int) -> HttpResponse:
    case = _case(request, case_id)
    item = _item(case, item_id)
    document = item.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404("No such document on this credit.")
    try:
        actions.do_detach_audit_document(item, document, actor=request.user,
                                         today=timezone.localdate())
    except ValidationError as error:
        return _refused(request, case, error, f"item-{item.pk}")
    return redirect("audits:case", case.pk)


@require_POST
@login_required
def note(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    try:
        actions.do_set_audit_note(case, request.POST.get("note", ""), actor=request.user,
                                  today=timezone.localdate())
    except ValidationError as error:
        return _refused(request, case, error, "note")
    messages.success(request, "Note saved.")
    return redirect("audits:case", case.pk)


@require_POST
@login_required
def replacement(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    raw = request.POST.get("credit", "")
    entry = CreditEntry.objects.filter(pk=raw if raw.isdigit() else 0,
                                       professional=case.professional).first()
    if entry is None:
        return case_page(request, case, status=400,
                         errors={"credit": ["Choose one of your credits from the list."]})
    try:
        actions.do_add_replacement(case, entry, actor=request.user, today=timezone.localdate())
    except ValidationError as error:
        return _refused(request, case, error, "credit")
    messages.success(request, f"“{entry.title}” added as a replacement; attach its proof.")
    return redirect("audits:case", case.pk)


@require_POST
@login_required
def submit(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    try:
        actions.do_submit_audit(case, actor=request.user, today=timezone.localdate())
    except ValidationError as error:
        return _refused(request, case, error, "submit")
    messages.success(request, "Your proof was sent for review. You will be told the outcome.")
    return redirect("audits:case", case.pk)


@require_POST
@login_required
def appeal(request: HttpRequest, case_id: int, item_id: int) -> HttpResponse:
    case = _case(request, case_id)
    item = _item(case, item_id)
    try:
        with atomic_with_documents():
            actions.do_appeal_item(item, request.POST.get("appeal_note", ""),
                                   actor=request.user, today=timezone.localdate(),
                                   uploads=request.FILES.getlist("file"))
    except ValidationError as error:
        return case_page(request, case, status=400, errors={
            f"appeal-{item.pk}": [m for ms in _dict(error).values() for m in ms]})
    messages.success(request, "Your appeal was sent; another auditor decides it.")
    return redirect("audits:case", case.pk)
