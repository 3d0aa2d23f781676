"""Importing a body's registry export (issue 12): upload → dry run row by row → commit
(here, or in the background with progress for a large file). Registrar role at the
import's body; another body's import is a 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from recert.core.access import NOT_FOUND, staff_bodies
from recert.core.models.staff import REGISTRAR
from recert.staff import imports
from recert.staff.actions import do_commit_import, do_plan_import
from recert.staff.decorators import staff_required
from recert.staff.models import RegistryImport


class UploadForm(forms.Form):
    body = forms.ModelChoiceField(label="Certifying body", queryset=None, empty_label=None,
                                  error_messages={"invalid_choice": "Choose one of your "
                                                                    "bodies from the list."})
    file = forms.FileField(label="Registry export (CSV or .xlsx)",
                           help_text=f"Columns: {imports.COLUMN_NAMES}.",
                           error_messages={"required": "Choose the file to import.",
                                           "empty": "The file is empty."})

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies


def access_import(actor, import_id) -> RegistryImport:
    """An import of one of the actor's bodies (404 otherwise) where they are registrar
    (403 otherwise)."""
    try:
        pk = int(import_id)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND) from None
    run = RegistryImport.objects.filter(pk=pk, body__in=staff_bodies(actor)).select_related(
        "body").first()
    if run is None:
        raise Http404(NOT_FOUND)
    if not staff_bodies(actor, REGISTRAR).filter(pk=run.body_id).exists():
        raise PermissionDenied("Imports need the registrar role for this body.")
    return run


@staff_required(REGISTRAR)
def import_index(request: HttpRequest) -> HttpResponse:
    bodies = staff_bodies(request.user, REGISTRAR)
    form = UploadForm(request.POST or None, request.FILES or None, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        try:
            run = do_plan_import(form.cleaned_data["body"], form.cleaned_data["file"],
                                 actor=request.user)
        except imports.ImportRefused as refused:
            for message in refused.message_dict.get("file", refused.messages):
                form.add_error("file", message)
        else:
            return redirect("staff:import", run.pk)
    return render(request, "staff/imports/index.html", {
        "form": form,
        "imports": RegistryImport.objects.filter(body__in=bodies).select_related(
            "body", "uploaded_by")[:20],
    }, status=400 if form.is_bound and form.errors else 200)


@staff_required(REGISTRAR)
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    run = access_import(request.user, import_id)
    show = request.GET.get("show", "")
    rows = [r for r in run.rows if not show or r["action"] == show] \
        if show in ("", *imports.ACTIONS) else run.rows
    return render(request, "staff/imports/detail.html", {
        "run": run, "rows": rows, "show": show, "actions": imports.ACTIONS,
        "working": run.status in (RegistryImport.QUEUED, RegistryImport.RUNNING),
    })


@require_POST
@staff_required(REGISTRAR)
def import_commit(request: HttpRequest, import_id: int) -> HttpResponse:
    run = access_import(request.user, import_id)
    if run.status != RegistryImport.PLANNED:
        messages.info(request, "This import was already committed; nothing more was done.")
        return redirect("staff:import", run.pk)
    run = do_commit_import(run, actor=request.user)
    if run.status == RegistryImport.DONE:
        messages.success(request, f"Imported {run.file_name}.")
    else:
        messages.info(request, f"Importing {run.file_name} in the background; this page "
                               "shows its progress.")
    return redirect("staff:import", run.pk)
