"""ACE petitions (ACE-PETITION-1): filed by the professional from a credit that the body
counts only through a petition, decided by the body's auditors (approve with the credits
granted, deny with a reason, or ask for more information answered on the same petition).
A decision is the body's CreditDecision only (REVIEW-1); every step is history, every
decision an e-mail."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from recert.core import mail
from recert.core.actions import history
from recert.core.actions.credits import do_attach_document, do_decide_credit_entry
from recert.core.evaluation import standing_of
from recert.core.models import (
    CertifyingBody,
    Course,
    CreditDecision,
    CreditEntry,
    History,
    Provider,
)
from recert.core.policies import petition_bodies
from recert.providers.actions.catalog import check_course_number
from recert.providers.models import Petition, PetitionMessage
from recert.rules.model import NEEDS_REVIEW


def bodies_waiting_for_petition(entry: CreditEntry, today: date | None = None) -> list[str]:
    """The bodies that show the credit as waiting for a petition: their policy counts its
    format only through one, the engine says it needs review for one of the professional's
    certifications of that body, and the body has not decided on it."""
    today = today or timezone.localdate()
    standing = standing_of(entry.professional, today)
    candidates = petition_bodies({r.body for r in standing.evaluation.certifications},
                                 entry.format, entry.earned_on)
    decided = {d.body.code for d in entry.decisions.select_related("body")}
    waiting = []
    for result in standing.evaluation.certifications:
        if result.body not in candidates or result.body in decided or result.body in waiting:
            continue
        credit = next((c for c in result.credits if c.id == str(entry.pk)), None)
        if credit is not None and credit.outcome == NEEDS_REVIEW:
            waiting.append(result.body)
    return waiting


def _tell(petition: Petition, actor) -> None:
    mail.send_message("petition_update", petition.professional.user, {
        "petition": petition, "entry": petition.credit_entry,
        "questions": petition.messages.filter(kind=PetitionMessage.QUESTION),
        "link": mail.link("petition", petition.credit_entry_id)}, actor=actor)


def _record(action, petition: Petition, actor, changes: dict) -> None:
    history.record(action, petition, actor=actor, professional=petition.professional,
                   changes=changes)
    history.record(action, petition.credit_entry, actor=actor,
                   professional=petition.professional,
                   changes={"petition": [None, petition.body.code], **changes})


@transaction.atomic
def do_file_petition(entry: CreditEntry, body: CertifyingBody, *, actor, description: str,
                     hours: Decimal, note: str = "", certificate=None,
                     today: date | None = None) -> Petition:
    description = (description or "").strip()
    errors = {}
    if not description:
        errors["description"] = "Paste the course description or its agenda."
    if hours is None or hours <= 0:
        errors["hours"] = "Enter the hours of structured learning, like 6 or 7.5."
    if errors:
        raise ValidationError(errors)
    if body.code not in bodies_waiting_for_petition(entry, today):
        raise ValidationError(f"{body.code} does not show this credit as waiting for a "
                              "petition.")
    if Petition.objects.filter(credit_entry=entry, body=body).exists():
        raise ValidationError("A petition for this credit was already filed.")
    document = do_attach_document(entry, certificate, actor=actor) if certificate else None
    petition = Petition.objects.create(credit_entry=entry, body=body,
                                       professional=entry.professional,
                                       description=description, hours=hours,
                                       note=(note or "").strip(), certificate=document)
    if entry.petition != "pending":
        CreditEntry.all_objects.filter(pk=entry.pk).update(petition="pending")
    _record(History.Action.FILE_PETITION, petition, actor, {
        "state": [None, petition.state], "hours": [None, history._jsonable(hours)]})
    return petition


def _locked(petition: Petition) -> Petition:
    return Petition.objects.select_for_update(of=("self",)).select_related(
        "body", "credit_entry", "professional__user").get(pk=petition.pk)


@transaction.atomic
def do_ask_more_information(petition: Petition, *, actor, question: str) -> Petition:
    question = (question or "").strip()
    if not question:
        raise ValidationError({"question": "Write what the professional should add."})
    petition = _locked(petition)
    if not petition.is_open:
        raise ValidationError("The petition is already decided.")
    PetitionMessage.objects.create(petition=petition, kind=PetitionMessage.QUESTION,
                                   author=actor, text=question)
    old, petition.state = petition.state, Petition.MORE_INFORMATION
    petition.save(update_fields=["state"])
    _record(History.Action.ASK_MORE_INFORMATION, petition, actor,
            {"state": [old, petition.state], "question": [None, question]})
    _tell(petition, actor)
    return petition


@transaction.atomic
def do_answer_petition(petition: Petition, *, actor, answer: str, certificate=None
                       ) -> Petition:
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": "Write your answer."})
    petition = _locked(petition)
    if petition.state != Petition.MORE_INFORMATION:
        raise ValidationError("No question is waiting for an answer.")
    if certificate:
        document = do_attach_document(petition.credit_entry, certificate, actor=actor)
        petition.certificate = document
    PetitionMessage.objects.create(petition=petition, kind=PetitionMessage.ANSWER,
                                   author=actor, text=answer)
    old, petition.state = petition.state, Petition.PENDING
    petition.save(update_fields=["state", "certificate"])
    _record(History.Action.ANSWER, petition, actor,
            {"state": [old, petition.state], "answer": [None, answer]})
    return petition


def _decide(petition: Petition, *, actor, outcome: str, reason: str,
            credits: Decimal | None) -> Petition:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason; the professional sees it."})
    petition = _locked(petition)
    if not petition.is_open:
        raise ValidationError("The petition is already decided.")
    do_decide_credit_entry(petition.credit_entry, petition.body, outcome, actor=actor,
                           reason=reason, counted_as=credits, answers_petition=True)
    old = petition.state
    petition.state = (Petition.APPROVED if outcome == CreditDecision.ACCEPTED
                      else Petition.DENIED)
    petition.credits_granted = credits
    petition.reason = reason[:500]
    petition.decided_by = actor if getattr(actor, "pk", None) else None
    petition.decided_at = timezone.now()
    petition.save()
    changes = {"state": [old, petition.state], "reason": [None, petition.reason]}
    if credits is not None:
        changes["credits_granted"] = [None, history._jsonable(credits)]
    _record(History.Action.APPROVE if outcome == CreditDecision.ACCEPTED
            else History.Action.DECIDE, petition, actor, changes)
    _tell(petition, actor)
    return petition


@transaction.atomic
def do_approve_petition(petition: Petition, *, actor, credits: Decimal,
                        reason: str = "Petition approved.") -> Petition:
    """The body grants `credits` (its own CECs; they may differ from the hours asked)."""
    if credits is None or credits <= 0:
        raise ValidationError({"credits": "Enter the CECs granted, like 0.6."})
    return _decide(petition, actor=actor, outcome=CreditDecision.ACCEPTED, reason=reason,
                   credits=credits)


@transaction.atomic
def do_deny_petition(petition: Petition, *, actor, reason: str) -> Petition:
    return _decide(petition, actor=actor, outcome=CreditDecision.REJECTED, reason=reason,
                   credits=None)


@transaction.atomic
def do_promote_petition(petition: Petition, *, actor, course_number: str,
                        today: date | None = None) -> Course:
    """An approved petition's course becomes an approved catalog course of the body (others
    who take it then type its number), under the provider's organization."""
    petition = _locked(petition)
    if petition.state != Petition.APPROVED:
        raise ValidationError("Only an approved petition's course can enter the catalog.")
    if petition.promoted_course_id:
        raise ValidationError("This petition's course is already in the catalog.")
    number = check_course_number(petition.body, course_number)
    if not number:
        raise ValidationError({"course_number": "Enter the course number to issue."})
    if Course.objects.filter(body=petition.body, course_number=number).exists():
        raise ValidationError({"course_number": f"{number} is already a catalog course."})
    entry = petition.credit_entry
    provider, _ = Provider.objects.get_or_create(
        name=(entry.provider or "Unknown provider").strip()[:200])
    course = Course.objects.create(
        body=petition.body, provider=provider, course_number=number, title=entry.title,
        description=petition.description, credits=petition.credits_granted,
        format=entry.format,
        status=Course.APPROVED, approved_from=today or timezone.localdate())
    history.record(History.Action.CREATE, course, actor=actor, changes={
        "course_number": [None, number], "title": [None, course.title],
        "from_petition": [None, str(petition.pk)]})
    petition.promoted_course = course
    petition.save(update_fields=["promoted_course"])
    history.record(History.Action.PROMOTE, petition, actor=actor,
                   professional=petition.professional,
                   changes={"course": [None, f"{number} {course.title}"]})
    return course
