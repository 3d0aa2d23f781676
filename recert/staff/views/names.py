"""A professional's names and date of birth, set by a registrar (issue 12): a correction of
the record, or a change of name that keeps the old one as a previous name."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from recert.core.access import access_professional
from recert.core.actions.professionals import do_update_names
from recert.core.models.staff import REGISTRAR
from recert.staff.decorators import staff_required
from recert.staff.forms import NamesForm
from recert.staff.views.corrections import add_action_errors


@staff_required(REGISTRAR)
def names(request: HttpRequest, professional_id: int) -> HttpResponse:
    person = access_professional(request.user, professional_id, REGISTRAR, as_staff=True)
    form = NamesForm(request.POST or None, today=timezone.localdate(), initial={
        "given_names": person.given_names, "family_name": person.family_name,
        "date_of_birth": person.date_of_birth})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            do_update_names(person, actor=request.user, given_names=d["given_names"],
                            family_name=d["family_name"], date_of_birth=d["date_of_birth"],
                            reason=d["reason"], name_changed_on=d["name_changed_on"])
        except ValidationError as e:
            add_action_errors(form, e)
        else:
            messages.success(request, "Saved the names.")
            return redirect("staff:professional", person.pk)
    return render(request, "staff/names.html", {
        "person": person, "form": form, "previous": list(person.previous_names.all())},
        status=400 if form.is_bound and form.errors else 200)
