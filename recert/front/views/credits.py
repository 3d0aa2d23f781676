"""The credit log: both tabs with how each entry counted, one entry's page and history,
edit, delete and undo."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Q
from django.db.models.functions import Lower
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from recert.core.access import NOT_FOUND, access_credit_entry, own_professional
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
from recert.core.credits_query import filter_entries
from recert.core.documents import serve_document
from recert.core.evaluation import evaluated_of, page_key
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
from recert.front.views.common import label
from recert.front.views.report import form_context
from recert.rules import model as rules_model

# Each sort: its label and the database order (the id breaks ties, in the same direction).
SORTS = {
    "-earned_on": ("Date earned, newest first", ("-earned_on", "-id")),
    "earned_on": ("Date earned, oldest first", ("earned_on", "id")),
    "-reported_on": ("Date reported, newest first", ("-reported_on", "-id")),
    "title": ("Course name", (Lower("title"), "id")),
    "provider": ("Provider", (Lower("provider"), "id")),
    "format": ("Format", ("format", "id")),
    "-amount": ("Amount, largest first", ("-amount", "-id")),
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


def _counted_by_entry(rows, ids: set[str] | None = None) -> dict[str, list[Counted]]:
    """{credit id: how it counted for each certification}, for `ids` only when given."""
    counted: dict[str, list[Counted]] = {}
    for certification, result in rows:
        if result is None:
            continue
        for c in result.credits:
            if ids is not None and c.id not in ids:
                continue
            counted.setdefault(c.id, []).append(
                Counted(label(certification), c.outcome, c.counted,
                        explain.reason(c.outcome, c.rules)))
    return counted


# The filter fields' HTML when no filter but the sort is set (the usual page), per sort:
# it depends on the code alone (the choices are the rules' formats and outcomes), so each
# process renders it once per sort instead of six widgets' templates on every page.
_PLAIN_FILTERS: dict[str, str] = {}
_FILTERS = ("date_from", "date_to", "format", "provider", "outcome")


def _filters_html(request: HttpRequest, filters: FilterForm) -> str:
    sort = request.GET.get("sort", "")
    plain = (not any(request.GET.get(name) for name in _FILTERS)
             and (sort == "" or sort in SORTS))
    if plain and sort in _PLAIN_FILTERS:
        return _PLAIN_FILTERS[sort]
    html = mark_safe(render_to_string("front/_credit_filters.html",
                                      {"filters": describe(filters)}))
    if plain:
        _PLAIN_FILTERS[sort] = html
    return html


def _page_number(request: HttpRequest) -> int:
    # A page number a person mistyped shows the first page rather than an error.
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


class Shown(NamedTuple):
    """An entry of the page as the page needs it; its row is HTML from the cache."""

    pk: int
    title: str


def _summary(professional, as_of, evaluated) -> dict:
    """What the credit log shows of the evaluation besides the rows, cached per evaluation
    version and day: the certifications' labels (the columns) and cycles (the current tab),
    the ids of the entries of each outcome (the outcome filter), the number of entries, the
    entries removed by staff. `evaluated` is read on a miss only."""
    key = page_key(professional, as_of, "credits")
    summary = cache.get(key)
    if summary is None:
        results = [(c, r) for c, r in evaluated.rows() if r is not None]
        outcomes: dict[str, set[int]] = {}
        for _, r in results:
            for c in r.credits:
                outcomes.setdefault(c.outcome, set()).add(int(c.id))
        summary = {"labels": [label(c) for c, _ in results],
                   "cycles": [(r.cycle.start, r.cycle.end) for _, r in results],
                   "outcomes": outcomes, "total": evaluated.credit_count(),
                   "removed": [Shown(e.pk, e.title) for e in removed_by_staff(professional)]}
        cache.set(key, summary, settings.EVALUATION_CACHE_SECONDS)
    return summary


class _Evaluated:
    """The evaluation's (certification, result) rows and number of entries, read at most
    once per request and only when a cached part is missing."""

    def __init__(self, professional, as_of):
        self._of, self._read = (professional, as_of), None

    def _get(self):
        if self._read is None:
            certifications, evaluated = evaluated_of(*self._of)
            self._read = (evaluated.rows(certifications), evaluated.credit_count)
        return self._read

    def rows(self):
        return self._get()[0]

    def credit_count(self) -> int:
        return self._get()[1]


def _row_html(professional, as_of, shown: list[Shown], evaluated) -> list[str]:
    """Each shown entry's table row, cached per entry, evaluation version and day: on a miss
    the entries missing are read (one query) and rendered with how each counted."""
    base = page_key(professional, as_of, "credit-row")
    keys = [f"{base}:{e.pk}" for e in shown]
    found = cache.get_many(keys)
    missing = [e.pk for e, key in zip(shown, keys, strict=True) if key not in found]
    if missing:
        counted = _counted_by_entry(evaluated.rows(), {str(pk) for pk in missing})
        made = {f"{base}:{entry.pk}": render_to_string("front/_credit_row.html", {
            "entry": entry, "per": counted.get(str(entry.pk), [])})
            for entry in CreditEntry.objects.filter(professional=professional, pk__in=missing)}
        cache.set_many(made, settings.EVALUATION_CACHE_SECONDS)
        found.update(made)
    return [mark_safe(found[key]) for key in keys]


@login_required
def credit_list(request: HttpRequest) -> HttpResponse:
    """One page of the log (CREDITS_PAGE_SIZE entries), filtered and sorted by the
    database; how each entry counted comes from the evaluation, and each row is HTML cached
    per entry and evaluation version, so the page costs the same at 10 and at 1,000
    entries. No COUNT: a page asks for one entry more than it shows to know whether a next
    page exists."""
    professional = own_professional(request.user)
    as_of = timezone.localdate()
    evaluated = _Evaluated(professional, as_of)
    summary = _summary(professional, as_of, evaluated)
    filters = FilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    if filters.is_bound and not filters.is_valid():
        # Keep the valid filters, drop the invalid ones (their messages are shown).
        values = {k: v for k, v in filters.cleaned_data.items() if k not in filters.errors}
    tab = values.get("tab") or "current"
    entries = CreditEntry.objects.filter(professional=professional)
    if tab == "current":
        in_cycles = Q(pk__in=[])
        for start, end in summary["cycles"]:
            in_cycles |= Q(earned_on__range=(start, end))
        entries = entries.filter(in_cycles)
    entries = filter_entries(entries, values, summary["outcomes"])
    sort = values.get("sort") or "-earned_on"
    size = settings.CREDITS_PAGE_SIZE
    page = _page_number(request)
    shown = [Shown(*row) for row in entries.order_by(*SORTS[sort][1]).values_list(
        "pk", "title")[(page - 1) * size:page * size + 1]]
    has_next = len(shown) > size
    shown = shown[:size]
    rows = list(zip(shown, _row_html(professional, as_of, shown, evaluated), strict=True))
    undo = request.session.pop(UNDO_KEY, None)
    query = request.GET.copy()
    query.pop("tab", None)
    query.pop("page", None)
    page_query = request.GET.copy()
    page_query.pop("page", None)
    return render(request, "front/credits.html", {
        "professional": professional, "rows": rows, "tab": tab,
        "filters_html": _filters_html(request, filters),
        "labels": summary["labels"],
        "undo": undo, "query": query.urlencode(), "total": summary["total"],
        "removed_by_staff": summary["removed"],
        "page": page, "has_next": has_next, "page_query": page_query.urlencode(),
        "first": (page - 1) * size + 1, "last": (page - 1) * size + len(shown),
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


@login_required
def credit(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = access_credit_entry(request.user, entry_id, deleted=True, own=True)
    professional = entry.professional
    history = list(History.objects.of(entry).select_related("actor").order_by("-at", "-id"))
    removal = _staff_removal(entry, history)
    if entry.deleted_at is not None and removal is None:
        raise Http404(NOT_FOUND)  # the professional's own delete
    certifications, evaluated = evaluated_of(professional, timezone.localdate())
    counted = _counted_by_entry(evaluated.rows(certifications), {str(entry.pk)})
    documents = list(entry.documents.all())
    return render(request, "front/credit_detail.html", {
        "entry": entry, "counted": counted.get(str(entry.pk), []),
        "documents": [(d, retention_ends(d)) for d in documents], "history": history,
        "format_label": FORMAT_LABELS.get(entry.format, entry.format),
        "confirmation": entry.confirmation(),
        "decisions": list(entry.decisions.select_related("body")),
        "today": timezone.localdate(), "removal": removal,
    })


@login_required
def document(request: HttpRequest, entry_id: int, document_id: int) -> FileResponse:
    """A certificate, to its owner only: uploads are never served from a public URL."""
    entry = access_credit_entry(request.user, entry_id, deleted=True, own=True)
    document = Document.objects.filter(credit_entry=entry, pk=document_id).first()
    if document is None:
        raise Http404(NOT_FOUND)
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
    entry = access_credit_entry(request.user, entry_id, own=True)
    professional = entry.professional
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
    entry = access_credit_entry(request.user, entry_id, own=True)
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
    entry = access_credit_entry(request.user, entry_id, own=True)
    document = Document.objects.filter(credit_entry=entry, pk=document_id).first()
    if document is None:
        raise Http404(NOT_FOUND)
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
    entry = access_credit_entry(request.user, entry_id, deleted=True, own=True)
    do_restore(entry, actor=request.user)
    messages.success(request, f"Restored “{entry.title}”.")
    return redirect("credits")
