"""Petitions: the professional files one from a credit waiting for it and answers questions;
the body's auditors decide in a queue; education staff promote an approved course into the
catalog."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from recert.core.access import access_credit_entry, is_staff_member, staff_bodies
from recert.core.actions.credits import atomic_with_documents
from recert.core.models import CertifyingBody
from recert.providers import actions
from recert.providers.access import access_petition, petition_queue
from recert.providers.forms import (
    AnswerForm,
    ApprovePetitionForm,
    AskForm,
    DenyPetitionForm,
    PetitionForm,
    PromoteForm,
    errors_to_form,
)
from recert.providers.models import Petition
from recert.providers.views.common import auditor_required


@login_required
def petition(request: HttpRequest, entry_id: int) -> HttpResponse:
    """The credit's petitions, the form to file one where a body waits for it, and the
    answer to a reviewer's question."""
    entry = access_credit_entry(request.user, entry_id, own=True)
    petitions = list(entry.petitions.select_related("body").prefetch_related("messages"))
    filed = {p.body.code for p in petitions}
    waiting = [code for code in actions.bodies_waiting_for_petition(entry) if code not in filed]
    do = request.POST.get("do")
    form = PetitionForm(request.POST if do == "file" else None,
                        request.FILES if do == "file" else None) if waiting else None
    asked = next((p for p in petitions if p.state == Petition.MORE_INFORMATION), None)
    answer = AnswerForm(request.POST if do == "answer" else None,
                        request.FILES if do == "answer" else None) if asked else None
    if request.method == "POST":
        try:
            if do == "file" and form is not None and form.is_valid():
                body = CertifyingBody.objects.get(code=waiting[0])
                with atomic_with_documents():
                    actions.do_file_petition(entry, body, actor=request.user,
                                             **form.cleaned_data)
                messages.success(request, f"Petition filed with {body.code}. You will get an "
                                          "e-mail when it is decided.")
                return redirect("petition", entry.pk)
            if do == "answer" and answer is not None and answer.is_valid():
                with atomic_with_documents():
                    actions.do_answer_petition(asked, actor=request.user,
                                               answer=answer.cleaned_data["answer"],
                                               certificate=answer.cleaned_data["certificate"])
                messages.success(request, "Answer sent; the petition is back with the "
                                          "reviewer.")
                return redirect("petition", entry.pk)
        except ValidationError as error:
            errors_to_form(form if do == "file" else answer, error)
    bad = bool((form and form.errors) or (answer and answer.errors))
    return render(request, "providers/petition.html", {
        "entry": entry, "petitions": petitions, "waiting": waiting, "form": form,
        "asked": asked, "answer": answer}, status=400 if bad else 200)


@auditor_required
def queue(request: HttpRequest) -> HttpResponse:
    petitions = petition_queue(request.user).select_related(
        "body", "professional", "credit_entry").order_by("filed_at", "id")
    return render(request, "providers/petitions/queue.html", {"petitions": petitions})


@auditor_required
def review(request: HttpRequest, petition_id: int) -> HttpResponse:
    petition = access_petition(request.user, petition_id, "auditor", as_staff=True)
    do = request.POST.get("do")
    approve = ApprovePetitionForm(request.POST if do == "approve" else None,
                                  initial={"credits": petition.hours / 10})
    deny = DenyPetitionForm(request.POST if do == "deny" else None)
    ask = AskForm(request.POST if do == "ask" else None)
    promote = PromoteForm(request.POST if do == "promote" else None)
    forms_by_action = {"approve": approve, "deny": deny, "ask": ask, "promote": promote}
    if request.method == "POST" and do in forms_by_action:
        form = forms_by_action[do]
        try:
            if do == "promote":
                if not is_staff_member(request.user, "education") or not staff_bodies(
                        request.user, "education").filter(pk=petition.body_id).exists():
                    raise PermissionDenied("Promoting into the catalog needs the education "
                                           "role.")
            if form.is_valid():
                data = form.cleaned_data
                if do == "approve":
                    actions.do_approve_petition(petition, actor=request.user,
                                                credits=data["credits"],
                                                reason=data["approve_reason"])
                elif do == "deny":
                    actions.do_deny_petition(petition, actor=request.user,
                                             reason=data["deny_reason"])
                elif do == "ask":
                    actions.do_ask_more_information(petition, actor=request.user,
                                                    question=data["question"])
                else:
                    actions.do_promote_petition(petition, actor=request.user,
                                                course_number=data["course_number"])
                messages.success(request, "Saved; the professional is told by e-mail."
                                 if do != "promote" else "The course is in the catalog.")
                return redirect("petitions:review", petition.pk)
        except ValidationError as error:
            errors_to_form(form, error)
    can_promote = staff_bodies(request.user, "education").filter(pk=petition.body_id).exists()
    return render(request, "providers/petitions/review.html", {
        "petition": petition, "approve": approve, "deny": deny, "ask": ask,
        "promote": promote, "can_promote": can_promote,
        "messages_": petition.messages.select_related("author")},
        status=400 if any(f.errors for f in forms_by_action.values()) else 200)
