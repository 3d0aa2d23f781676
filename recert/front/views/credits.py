"""The credit log: both tabs with how each entry counted, one entry's page and history,
edit, delete and undo."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from recert.core.actions.credits import (
    EntryConfirmed,
    atomic_with_documents,
    confirmed_message,
    do_attach_document,
    do_delete_credit_entry,
    do_remove_document,
    do_update_credit_entry,
    retention_ends,
)
from recert.core.actions.history import do_restore
from recert.core.documents import serve_document
from recert.core.evaluation import standing_of
from recert.core.models import CreditEntry, Document, History
from recert.front import explain
from recert.front.forms import (
    FORMAT_LABELS,
    ConfirmedEntryForm,
    CreditForm,
    DateInput,
    describe,
    posted_fact_changes,
)
from recert.front.views.common import label, own_professional
from recert.front.views.report import form_context
from recert.rules import model as rules_model

SORTS = {
    "-earned_on": ("Date earned, newest first", lambda e: (e.earned_on, e.pk), True),
    "earned_on": ("Date earned, oldest first", lambda e: (e.earned_on, e.pk), False),
    "-reported_on": ("Date reported, newest first", lambda e: (e.reported_on, e.pk), True),
    "title": ("Course name", lambda e: (e.title.lower(), e.pk), False),
    "provider": ("Provider", lambda e: (e.provider.lower(), e.pk), False),
    "format": ("Format", lambda e: (e.format, e.pk), False),
    "-amount": ("Amount, largest first", lambda e: (e.amount, e.pk), True),
}
UNDO_KEY = "recert_undo"


class FilterForm(forms.Form):
    tab = forms.ChoiceField(choices=[("current", "Current cycle"), ("all", "All credits")],
                            required=False)
    date_from = forms.DateField(label="Earned from", required=False, widget=DateInput(),
                                error_messages={"invalid": "Enter a date as MM/DD/YYYY."})
    date_to = forms.DateField(label="Earned to", required=False, widget=DateInput(),
                              error_messages={"invalid": "Enter a date as MM/DD/YYYY."})
    format = forms.ChoiceField(label="Format", required=False, choices=[("", "Any format")] + [
        (f, FORMAT_LABELS.get(f, f)) for f in rules_model.FORMATS])
    provider = forms.CharField(label="Provider", required=False, max_length=200)
    outcome = forms.ChoiceField(label="Outcome", required=False, choices=[("", "Any outcome")] + [
        (o, explain.outcome_words(o)) for o in rules_model.OUTCOMES])
    sort = forms.ChoiceField(label="Sort by", required=False,
                             choices=[(k, v[0]) for k, v in SORTS.items()])

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date. Enter a date "
                                      "on or after the start date.")
        return data


@dataclass(frozen=True)
class Counted:
    label: str
    outcome: str
    counted: object
    reason: str


def _counted_by_entry(standing) -> dict[str, list[Counted]]:
    counted: dict[str, list[Counted]] = {}
    for certification, result in standing.rows():
        if result is None:
            continue
        for c in result.credits:
            counted.setdefault(c.id, []).append(
                Counted(label(certification), c.outcome, c.counted,
                        explain.reason(c.outcome, c.rules)))
    return counted


@login_required
def credit_list(request: HttpRequest) -> HttpResponse:
    professional = own_professional(request)
    standing = standing_of(professional, timezone.localdate())
    filters = FilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    if filters.is_bound and not filters.is_valid():
        # Keep the valid filters, drop the invalid ones (their messages are shown).
        values = {k: v for k, v in filters.cleaned_data.items() if k not in filters.errors}
    tab = values.get("tab") or "current"
    counted = _counted_by_entry(standing)
    cycles = [r.cycle for _, r in standing.rows() if r is not None]
    rows = []
    for entry in standing.credits:
        if tab == "current" and not any(entry.earned_on in c for c in cycles):
            continue
        if values.get("date_from") and entry.earned_on < values["date_from"]:
            continue
        if values.get("date_to") and entry.earned_on > values["date_to"]:
            continue
        if values.get("format") and entry.format != values["format"]:
            continue
        if values.get("provider") and values["provider"].lower() not in entry.provider.lower():
            continue
        per = counted.get(str(entry.pk), [])
        if values.get("outcome") and not any(c.outcome == values["outcome"] for c in per):
            continue
        rows.append((entry, per))
    sort = values.get("sort") or "-earned_on"
    _, key, reverse = SORTS[sort]
    rows.sort(key=lambda row: key(row[0]), reverse=reverse)
    undo = request.session.pop(UNDO_KEY, None)
    removed = removed_by_staff(professional)
    query = request.GET.copy()
    query.pop("tab", None)
    return render(request, "front/credits.html", {
        "professional": professional, "rows": rows, "tab": tab, "filters": describe(filters),
        "labels": [label(c) for c, r in standing.rows() if r is not None],
        "undo": undo, "query": query.urlencode(), "total": len(standing.credits),
        "removed_by_staff": removed,
    })


def removed_by_staff(professional) -> list[CreditEntry]:
    """The professional's entries that staff removed (a delete with a reason, issue 12) and
    that are still removed: one query. They stay readable with the reason."""
    removals = History.objects.filter(professional=professional, object_type="creditentry",
                                      action=History.Action.DELETE, changes__has_key="reason")
    return list(CreditEntry.all_objects.filter(
        professional=professional, deleted_at__isnull=False,
        pk__in=removals.values("object_id")).order_by("-deleted_at", "-id"))


def _staff_removal(entry: CreditEntry, history) -> History | None:
    """The history row of staff's removal of a removed entry (None otherwise)."""
    if entry.deleted_at is None:
        return None
    return next((h for h in history if h.action == History.Action.DELETE
                 and "reason" in h.changes), None)


def _own_entry(request: HttpRequest, entry_id: int, *, deleted_too: bool = False):
    professional = own_professional(request)
    manager = CreditEntry.all_objects if deleted_too else CreditEntry.objects
    entry = manager.filter(professional=professional, pk=entry_id).first()
    if entry is None:
        raise Http404("No such credit entry.")
    return professional, entry


@login_required
def credit_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    professional, entry = _own_entry(request, entry_id, deleted_too=True)
    history = list(History.objects.of(entry).select_related("actor").order_by("-at", "-id"))
    removal = _staff_removal(entry, history)
    if entry.deleted_at is not None and removal is None:
        raise Http404("No such credit entry.")  # the professional's own delete
    standing = standing_of(professional, timezone.localdate())
    documents = list(entry.documents.all())
    return render(request, "front/credit_detail.html", {
        "entry": entry, "counted": _counted_by_entry(standing).get(str(entry.pk), []),
        "documents": [(d, retention_ends(d)) for d in documents], "history": history,
        "format_label": FORMAT_LABELS.get(entry.format, entry.format),
        "confirmation": entry.confirmation(),
        "decisions": list(entry.decisions.select_related("body")),
        "today": timezone.localdate(), "removal": removal,
    })


@login_required
def document_download(request: HttpRequest, entry_id: int, document_id: int) -> FileResponse:
    """A certificate, to its owner only: uploads are never served from a public URL."""
    professional, entry = _own_entry(request, entry_id, deleted_too=True)
    document = Document.objects.filter(credit_entry=entry, pk=document_id).first()
    if document is None:
        raise Http404("No such document.")
    return serve_document(document)


def _confirmed_edit(request: HttpRequest, entry, documents) -> HttpResponse:
    """A confirmed entry: only the course name and new documents; a posted fact (date,
    amount, …) that differs from the entry is refused and nothing is saved."""
    form = ConfirmedEntryForm(request.POST or None, request.FILES or None,
                              initial={"title": entry.title})
    status = 200
    if request.method == "POST":
        changed = posted_fact_changes(request.POST, entry)
        if changed:
            form.is_valid()
            form.add_error(None, confirmed_message(entry, changed))
            status = 400
        elif form.is_valid():
            with atomic_with_documents():
                do_update_credit_entry(entry, actor=request.user,
                                       title=form.cleaned_data["title"].strip())
                for uploaded in form.cleaned_data["documents"]:
                    do_attach_document(entry, uploaded, actor=request.user)
            messages.success(request, f"Saved “{entry.title}”.")
            return redirect("credit", entry.pk)
    return render(request, "front/confirmed_edit.html", {
        "form": describe(form), "entry": entry, "documents": documents,
        "confirmation": entry.confirmation(), "heading": f"Edit “{entry.title}”",
        "format_label": FORMAT_LABELS.get(entry.format, entry.format),
    }, status=status)


@login_required
def credit_edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    professional, entry = _own_entry(request, entry_id)
    documents = list(entry.documents.all())
    if entry.confirmation():
        return _confirmed_edit(request, entry, documents)
    context = form_context(professional)
    form = CreditForm(request.POST or None, request.FILES or None,
                      initial=CreditForm.initial_from(entry), documents_on_file=len(documents),
                      **context["form_kwargs"])
    if request.method == "POST" and form.is_valid():
        try:
            with atomic_with_documents():
                do_update_credit_entry(entry, actor=request.user, **form.entry_fields())
                for uploaded in form.cleaned_data["documents"]:
                    do_attach_document(entry, uploaded, actor=request.user)
        except EntryConfirmed as refused:
            # Confirmed between loading the page and saving it (a renewal, a review).
            messages.error(request, " ".join(refused.messages))
            return redirect("credit", entry.pk)
        messages.success(request, f"Saved “{entry.title}”.")
        return redirect("credit", entry.pk)
    return render(request, "front/report.html", {
        "form": describe(form), "entry": entry, "documents": documents,
        "heading": f"Edit “{entry.title}”", **context["page"],
    })


@require_POST
@login_required
def credit_delete(request: HttpRequest, entry_id: int) -> HttpResponse:
    _, entry = _own_entry(request, entry_id)
    try:
        do_delete_credit_entry(entry, actor=request.user)
    except EntryConfirmed as refused:
        messages.error(request, " ".join(refused.messages))
        return redirect("credit", entry.pk)
    request.session[UNDO_KEY] = {"id": entry.pk, "title": entry.title}
    return redirect("credits")


@require_POST
@login_required
def document_remove(request: HttpRequest, entry_id: int, document_id: int) -> HttpResponse:
    """Removes a document, unless a renewal claimed the entry and the body keeps it."""
    _, entry = _own_entry(request, entry_id)
    document = Document.objects.filter(credit_entry=entry, pk=document_id).first()
    if document is None:
        raise Http404("No such document.")
    try:
        do_remove_document(document, actor=request.user)
    except EntryConfirmed as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"Removed “{document.original_name}”.")
    return redirect("credit", entry.pk)


@require_POST
@login_required
def credit_restore(request: HttpRequest, entry_id: int) -> HttpResponse:
    _, entry = _own_entry(request, entry_id, deleted_too=True)
    do_restore(entry, actor=request.user)
    messages.success(request, f"Restored “{entry.title}”.")
    return redirect("credits")
