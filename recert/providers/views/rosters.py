"""Completion rosters: the provider uploads one for a course, sees each row's fate and
corrects or withdraws a row; a professional claims a row held under their verified
address."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from recert.core.access import NOT_FOUND, own_professional
from recert.providers import actions
from recert.providers.forms import RosterUploadForm, RowCorrectForm, WithdrawForm, errors_to_form
from recert.providers.models import RosterRow
from recert.providers.views.common import own_course, own_roster, own_roster_row, provider_required


@provider_required
def roster_upload(request: HttpRequest, course_id: int) -> HttpResponse:
    course = own_course(request.user, course_id)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            roster = actions.do_upload_roster(course, form.cleaned_data["file"],
                                              actor=request.user)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, f"{roster.row_count} rows received." + (
                "" if roster.status == roster.DONE else " They are being matched; this page "
                "shows each row's result when it is done."))
            return redirect("providers:roster", roster.pk)
    return render(request, "providers/roster_upload.html", {"form": form, "course": course},
                  status=400 if form.errors else 200)


@provider_required
def roster(request: HttpRequest, roster_id: int) -> HttpResponse:
    roster = own_roster(request.user, roster_id)
    rows = roster.rows.select_related("professional", "credit_entry").order_by(
        Case(When(state=RosterRow.HELD, then=Value(0)), default=Value(1),
             output_field=IntegerField()), "line")
    return render(request, "providers/roster.html", {"roster": roster, "rows": rows})


@provider_required
def roster_row(request: HttpRequest, row_id: int) -> HttpResponse:
    row = own_roster_row(request.user, row_id)
    do = request.POST.get("do")
    correct = RowCorrectForm(request.POST if do == "correct" else None, initial={
        "member_id": row.member_id, "email": row.email, "name": row.name,
        "completed_on": row.completed_on, "credits": row.credits})
    withdraw = WithdrawForm(request.POST if do == "withdraw" else None)
    if request.method == "POST":
        try:
            if do == "correct" and correct.is_valid():
                data = dict(correct.cleaned_data)
                reason = data.pop("reason")
                row = actions.do_correct_roster_row(row, actor=request.user, reason=reason,
                                                    **data)
                messages.success(request, f"Row {row.line} corrected: {row.get_state_display()}"
                                          f"{', ' + row.note if row.note else ''}.")
                return redirect("providers:roster", row.roster_id)
            if do == "withdraw" and withdraw.is_valid():
                actions.do_withdraw_roster_row(row, actor=request.user,
                                               reason=withdraw.cleaned_data["reason"])
                messages.success(request, f"Row {row.line} withdrawn.")
                return redirect("providers:roster", row.roster_id)
        except ValidationError as error:
            errors_to_form(correct if do == "correct" else withdraw, error)
    return render(request, "providers/roster_row.html",
                  {"row": row, "correct": correct, "withdraw": withdraw},
                  status=400 if (correct.errors or withdraw.errors) else 200)


@login_required
def completions(request: HttpRequest) -> HttpResponse:
    """Completions that providers reported under the professional's verified address but
    could not match: theirs to claim."""
    professional = own_professional(request.user)
    return render(request, "providers/completions.html", {
        "professional": professional, "rows": actions.claimable_rows(request.user)})


@require_POST
@login_required
def claim_completion(request: HttpRequest, row_id: int) -> HttpResponse:
    professional = own_professional(request.user)
    row = actions.claimable_rows(request.user).filter(pk=row_id).first()
    if row is None:
        raise Http404(NOT_FOUND)
    try:
        actions.do_claim_roster_row(row, professional, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{row.course.title}” is in your credit log.")
    return redirect("completions")
