"""Corrections by a registrar (issue 12): add, change or remove a professional's credit, or
correct a certification's dates, each with a required reason that the professional sees on
the entry or certification. Through the core actions (do_create_credit_entry as a staff
entry, do_correct_credit_entry, do_delete_credit_entry with a reason,
do_correct_certification); the history keeps before and after."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from recert.core.access import access_certification, access_credit_entry, access_professional
from recert.core.actions.certifications import do_correct_certification
from recert.core.actions.credits import (
    do_correct_credit_entry,
    do_create_credit_entry,
    do_delete_credit_entry,
)
from recert.core.models import CreditEntry, Cycle
from recert.core.models.staff import REGISTRAR
from recert.staff.decorators import staff_required
from recert.staff.forms import CertificationDatesForm, CreditCorrectionForm, RemoveCreditForm


def add_action_errors(form, error: ValidationError) -> None:
    """The action's checks at the form's fields (the reason's key is `staff_reason` in the
    credit actions)."""
    details = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
    for name, errors in details.items():
        name = "reason" if name == "staff_reason" else name
        for item in errors:
            form.add_error(name if name in form.fields else None, item.messages)


def _render(request, template, context, form) -> HttpResponse:
    return render(request, template, {**context, "form": form},
                  status=400 if form.is_bound and form.errors else 200)


# -- each correction from its bound form (the pages and the API's staff corrections) -------

def add_credit_from(form: CreditCorrectionForm, person, actor) -> CreditEntry | None:
    """The staff entry the valid `form` adds for `person`, or None (errors on the form)."""
    if not form.is_valid():
        return None
    try:
        return do_create_credit_entry(
            person, actor=actor, **form.entry_fields(), source=CreditEntry.STAFF,
            staff_reason=form.cleaned_data["reason"])
    except ValidationError as e:
        add_action_errors(form, e)
        return None


def correct_credit_from(form: CreditCorrectionForm, entry: CreditEntry, actor) -> bool:
    """Whether the changes of the valid `form` were made to `entry` (errors on the form)."""
    if not form.is_valid():
        return False
    changed = form.changed_fields()
    if not changed:
        form.add_error(None, "Nothing was changed. Change a field, or go back.")
        return False
    try:
        do_correct_credit_entry(entry, actor=actor, reason=form.cleaned_data["reason"],
                                **changed)
    except ValidationError as e:
        add_action_errors(form, e)
        return False
    return True


def remove_credit_from(form: RemoveCreditForm, entry: CreditEntry, actor) -> bool:
    if not form.is_valid():
        return False
    do_delete_credit_entry(entry, actor=actor, reason=form.cleaned_data["reason"])
    return True


def certification_dates_form(certification, data) -> tuple[CertificationDatesForm, object]:
    """The dates form of `certification` (bound to `data` unless None) and its open cycle,
    whose dates the form may change (none open: only the date certified)."""
    cycle = (Cycle.objects.filter(certification=certification, closed_at__isnull=True)
             .order_by("-number").first())
    form = CertificationDatesForm(data, initial={
        "certified_on": certification.certified_on,
        "cycle_start": cycle.start if cycle else None,
        "cycle_end": cycle.end if cycle else None})
    if cycle is None:
        for name in ("cycle_start", "cycle_end"):
            form.fields[name].disabled = True
    return form, cycle


def correct_certification_from(form: CertificationDatesForm, certification, actor):
    """The corrected certification, or None (errors on the form)."""
    if not form.is_valid():
        return None
    if not [n for n in form.changed_data if n != "reason"]:
        form.add_error(None, "Nothing was changed. Change a date, or go back.")
        return None
    d = form.cleaned_data
    try:
        return do_correct_certification(
            certification, actor=actor, reason=d["reason"], certified_on=d["certified_on"],
            cycle_start=d.get("cycle_start"), cycle_end=d.get("cycle_end"))
    except ValidationError as e:
        add_action_errors(form, e)
        return None


# -- the pages ------------------------------------------------------------------------------

@staff_required(REGISTRAR)
def add_credit(request: HttpRequest, professional_id: int) -> HttpResponse:
    person = access_professional(request.user, professional_id, REGISTRAR, as_staff=True)
    form = CreditCorrectionForm(request.POST or None, instance=CreditEntry(professional=person))
    if request.method == "POST":
        entry = add_credit_from(form, person, request.user)
        if entry is not None:
            messages.success(request, f"Added “{entry.title}” for {person.display_name}.")
            return redirect("staff:professional", person.pk)
    return _render(request, "staff/credit_form.html", {
        "person": person, "heading": f"Add a credit for {person.display_name}"}, form)


@staff_required(REGISTRAR)
def correct_credit(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = access_credit_entry(request.user, entry_id, REGISTRAR, as_staff=True)
    person = entry.professional
    form = CreditCorrectionForm(request.POST or None, instance=CreditEntry.objects.get(
        pk=entry.pk))
    if request.method == "POST" and correct_credit_from(form, entry, request.user):
        messages.success(request, f"Corrected “{form.cleaned_data['title']}”.")
        return redirect("staff:professional", person.pk)
    return _render(request, "staff/credit_form.html", {
        "person": person, "entry": entry, "remove_form": RemoveCreditForm(),
        "heading": f"Correct “{entry.title}”"}, form)


@staff_required(REGISTRAR)
def remove_credit(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = access_credit_entry(request.user, entry_id, REGISTRAR, as_staff=True)
    person = entry.professional
    form = RemoveCreditForm(request.POST or None)
    if request.method == "POST" and remove_credit_from(form, entry, request.user):
        messages.success(request, f"Removed “{entry.title}”; {person.display_name} sees the "
                                  "reason in their credit log.")
        return redirect("staff:professional", person.pk)
    return _render(request, "staff/credit_remove.html", {"person": person, "entry": entry},
                   form)


@staff_required(REGISTRAR)
def correct_certification(request: HttpRequest, certification_id: int) -> HttpResponse:
    certification = access_certification(request.user, certification_id, REGISTRAR,
                                         as_staff=True)
    person = certification.professional
    form, cycle = certification_dates_form(certification, request.POST or None)
    if request.method == "POST":
        corrected = correct_certification_from(form, certification, request.user)
        if corrected is not None:
            messages.success(request, f"Corrected the dates of {corrected.program.body.code} "
                                      f"{corrected.program.code}.")
            return redirect("staff:professional", person.pk)
    return _render(request, "staff/certification_dates.html", {
        "person": person, "certification": certification, "cycle": cycle}, form)
