"""Every write of the yearly audit (ACSM-AUDIT-1), each in one transaction with a history
row: starting an audit, opening its cases, the professional's proof and submission, the
auditor's claim and per-credit review (as the body's decisions, REVIEW-1), appeals, and the
outcomes. Whether the requirement is met is the engine's answer (`audited_evaluation`)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from recert.audits import emails, selection
from recert.audits.models import Audit, AuditCase, AuditItem, AuditReminder
from recert.core.actions import history
from recert.core.actions.credits import do_attach_document, do_decide_credit_entry
from recert.core.evaluation import certification_input, credit_input
from recert.core.models import (
    Certification,
    CertifyingBody,
    CreditDecision,
    CreditEntry,
    Document,
    History,
)
from recert.core.policies import current_policies
from recert.renewals.models import ClaimedCredit, Renewal
from recert.rules import evaluate
from recert.rules.model import CertificationIn, Evaluation

Action = History.Action
ZERO = Decimal(0)
REASON_WORDS = dict(AuditItem.REASONS)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# -- starting an audit -----------------------------------------------------------------


@transaction.atomic
def do_start_audit(body: CertifyingBody, year: int, seed: str, *, actor,
                   today: date) -> Audit:
    """Starts the audit of `body` for `year` with `seed`: the selection is made now (as the
    preview showed it for the same seed and population) and the cases are opened and their
    professionals notified in the background (recert.tasks.open_audit_cases)."""
    rule = selection.audit_policy(body, today)
    if rule is None:
        raise ValidationError({"body": f"{body.code}'s policy has no audit section: its "
                                       "professionals are not audited."})
    if not (2000 <= year <= today.year):
        raise ValidationError({"year": f"Choose a year from 2000 to {today.year}."})
    seed = (seed or "").strip()
    if not seed or len(seed) > 40 or not seed.isalnum():
        raise ValidationError({"seed": "The seed is 1 to 40 letters or digits."})
    earlier = Audit.objects.filter(body=body, year=year).first()
    if earlier is not None:
        raise ValidationError({"year": f"The {body.code} audit of {year} was already started "
                                       f"on {earlier.started_at:%m/%d/%Y}."})
    strata = selection.sample(selection.population(body, year - 1), rule.rate, seed)
    audit = Audit(body=body, year=year, seed=seed, rate=rule.rate,
                  response_days=rule.response_days, replacement_days=rule.replacement_days,
                  inactive_months=rule.inactive_months, rule=rule.rule, notice_on=today,
                  strata=[s.as_dict() for s in strata],
                  started_by=actor if getattr(actor, "pk", None) else None)
    try:
        with transaction.atomic():
            audit.save()
    except IntegrityError:  # two auditors at once: the unique constraint decides
        raise ValidationError({"year": f"The {body.code} audit of {year} was already "
                                       "started."}) from None
    history.record(Action.START_AUDIT, audit, actor=actor, changes={
        "body": [None, body.code], "year": [None, year], "seed": [None, seed],
        "selected": [None, audit.selected_count], "population": [None, audit.population_count],
    })
    from recert.tasks import enqueue_on_commit, open_audit_cases

    enqueue_on_commit(open_audit_cases, audit.pk, today.isoformat())
    return audit


def selected_renewals(audit: Audit) -> list[tuple[int, str]]:
    return [(pk, s["program"]) for s in audit.strata for pk in s["selected"]]


@transaction.atomic
def do_open_case(audit: Audit, renewal: Renewal, stratum: str, *, actor,
                 today: date) -> AuditCase | None:
    """One case for a selected renewal: its claimed credits frozen as items, the due date
    set (notice + response_days) and the professional told. None when it exists already
    (a retried task)."""
    if AuditCase.objects.filter(audit=audit, renewal=renewal).exists():
        return None
    case = AuditCase.objects.create(
        audit=audit, renewal=renewal, professional=renewal.professional, stratum=stratum,
        notified_on=today, due_on=today + timedelta(days=audit.response_days))
    claims = ClaimedCredit.objects.filter(renewal=renewal).order_by("credit_entry_id")
    AuditItem.objects.bulk_create(AuditItem(case=case, credit_entry_id=c.credit_entry_id,
                                            counted=c.counted) for c in claims)
    history.record(Action.SELECT_FOR_AUDIT, case, actor=actor, professional=case.professional,
                   changes={"audit": [None, str(audit)], "due_on": [None, str(case.due_on)],
                            "credits": [None, [str(c.credit_entry_id) for c in claims]]})
    emails.send_case_message("audit_notice", case, today, actor=actor)
    return case


def open_cases(audit_id: int, renewal_ids: list[int] | None, today: date, *,
               actor=None) -> int:
    """Opens the cases of `renewal_ids` (all selected when None); the audit is open once
    every selected renewal has its case. Safe to run twice."""
    audit = Audit.objects.select_related("body").get(pk=audit_id)
    wanted = selected_renewals(audit)
    if renewal_ids is not None:
        wanted = [(pk, s) for pk, s in wanted if pk in set(renewal_ids)]
    renewals = Renewal.objects.select_related("professional__user").in_bulk(
        [pk for pk, _ in wanted])
    opened = 0
    for pk, stratum in wanted:
        if pk in renewals and do_open_case(audit, renewals[pk], stratum, actor=actor,
                                           today=today):
            opened += 1
    if audit.status == Audit.SELECTING and \
            audit.cases.count() >= len(selected_renewals(audit)):
        Audit.objects.filter(pk=audit.pk).update(status=Audit.OPEN)
    return opened


# -- the engine's view of the audited cycle --------------------------------------------


def audited_evaluation(case: AuditCase, today: date) -> Evaluation:
    """The audited cycle of each certification the renewal renewed, with the case's
    credits only (claimed and replacements) and the body's decisions on them, as the engine
    sees it today. Replacement credits count toward that cycle (ACSM-AUDIT-1)."""
    items = list(case.items.select_related("credit_entry").prefetch_related(
        "credit_entry__decisions__body"))
    replacements = tuple(str(i.credit_entry_id) for i in items if i.replacement)
    certs: list[CertificationIn] = []
    for item in case.renewal.items.filter(active=True).select_related(
            "certification__program__body", "cycle"):
        base = certification_input(item.certification)
        certs.append(CertificationIn(
            id=base.id, body=base.body, program=base.program, certified_on=base.certified_on,
            cycle_start=item.cycle.start, cycle_end=item.cycle.end,
            replacement_credits=replacements))
    return evaluate(current_policies(), certs, [credit_input(i.credit_entry) for i in items],
                    today)


def requirement_met(evaluation: Evaluation) -> bool:
    return bool(evaluation.certifications) and all(
        r.remaining <= 0 for r in evaluation.certifications)


# -- the professional's answer ---------------------------------------------------------


def _lock(model, pk):
    return model.objects.select_for_update().get(pk=pk)


def _answering(case: AuditCase, today: date, *, actor) -> AuditCase:
    """The case, locked, moved on by its deadlines first; ValidationError when it no
    longer takes proof."""
    case = _lock(AuditCase, case.pk)
    expire(case, today, actor=actor)
    if case.status == AuditCase.SUBMITTED:
        raise ValidationError("Your proof is under review; it can no longer be changed.")
    if case.status not in AuditCase.ANSWERING:
        raise ValidationError(f"This audit is {case.get_status_display()}; it takes no more "
                              "proof.")
    return case


def editable(item: AuditItem) -> bool:
    """Documents of an item may change until the case is submitted with it."""
    return not item.locked_at_submission


@transaction.atomic
def do_attach_audit_document(item: AuditItem, *, actor, today: date, uploaded=None,
                             document: Document | None = None) -> Document:
    """Offers a document as proof of one credit: a new upload (checked by content and size,
    kept with the credit entry) or one already on the entry."""
    case = _answering(item.case, today, actor=actor)
    item = _lock(AuditItem, item.pk)
    if item.locked_at_submission:
        raise ValidationError({"file": "This credit's proof was submitted; its documents can "
                                       "no longer be changed."})
    if uploaded is not None:
        document = do_attach_document(item.credit_entry, uploaded, actor=actor)
    elif document is None or document.credit_entry_id != item.credit_entry_id:
        raise ValidationError({"document": "Choose a document of this credit, or upload one."})
    item.documents.add(document)
    history.record(Action.UPDATE, case, actor=actor, professional=case.professional,
                   changes={"credit": [None, str(item.credit_entry_id)],
                            "document": [None, document.original_name]})
    return document


@transaction.atomic
def do_detach_audit_document(item: AuditItem, document: Document, *, actor,
                             today: date) -> None:
    case = _answering(item.case, today, actor=actor)
    item = _lock(AuditItem, item.pk)
    if item.locked_at_submission:
        raise ValidationError("This credit's proof was submitted; its documents can no "
                              "longer be changed.")
    item.documents.remove(document)
    history.record(Action.UPDATE, case, actor=actor, professional=case.professional,
                   changes={"credit": [str(item.credit_entry_id), None],
                            "document": [document.original_name, None]})


@transaction.atomic
def do_set_audit_note(case: AuditCase, note: str, *, actor, today: date) -> AuditCase:
    case = _answering(case, today, actor=actor)
    note = (note or "").strip()
    if len(note) > 4000:
        raise ValidationError({"note": "The note is at most 4000 characters."})
    if note != case.note:
        history.record(Action.UPDATE, case, actor=actor, professional=case.professional,
                       changes={"note": [case.note, note]})
        case.note = note
        case.save(update_fields=["note"])
    return case


@transaction.atomic
def do_add_replacement(case: AuditCase, entry: CreditEntry, *, actor,
                       today: date) -> AuditItem:
    """A replacement credit in the replacement period (or while inactive after one): it
    counts toward the audited cycle only, and the renewal claims it so that it does not
    count again in the current cycle (as a late renewal's credits, ACSM-GRACE-2)."""
    case = _answering(case, today, actor=actor)
    if case.replacement_due_on is None:
        raise ValidationError({"credit": "Replacement credits are added in a replacement "
                                         "period, after the review."})
    if entry.professional_id != case.professional_id or entry.deleted_at is not None:
        raise ValidationError({"credit": "Choose one of your credits."})
    if entry.earned_on > today:
        raise ValidationError({"credit": "The credit must have been earned already."})
    if case.items.filter(credit_entry=entry).exists():
        raise ValidationError({"credit": "This credit is already in the audit."})
    if ClaimedCredit.objects.filter(credit_entry=entry).exclude(
            renewal__status=Renewal.CANCELLED).exists():
        raise ValidationError({"credit": "This credit was already claimed by a renewal."})
    item = AuditItem.objects.create(case=case, credit_entry=entry, replacement=True)
    ClaimedCredit.objects.create(renewal=case.renewal, credit_entry=entry, counted=ZERO)
    history.record(Action.UPDATE, case, actor=actor, professional=case.professional,
                   changes={"replacement": [None, str(entry.pk)]})
    return item


def missing(case: AuditCase) -> list[AuditItem]:
    """The credits still without a document (those the next submission sends)."""
    return [i for i in case.items.prefetch_related("documents").select_related("credit_entry")
            if not i.locked_at_submission and not i.documents.all()]


@transaction.atomic
def do_submit_audit(case: AuditCase, *, actor, today: date) -> AuditCase:
    """Sends the proof for review: every credit not yet submitted needs a document. A
    submission while inactive (inside inactive_months) restores the certification."""
    case = _answering(case, today, actor=actor)
    open_items = [i for i in case.items.prefetch_related("documents").select_related(
        "credit_entry") if not i.locked_at_submission]
    if not open_items:
        raise ValidationError("Add a replacement credit with its proof before submitting.")
    lacking = [i.credit_entry.title for i in open_items if not i.documents.all()]
    if lacking:
        raise ValidationError({"documents": "Attach proof to every credit first; missing: "
                                            + "; ".join(lacking) + "."})
    old = case.status
    now = timezone.now()
    AuditItem.objects.filter(pk__in=[i.pk for i in open_items]).update(
        locked_at_submission=now)
    case.status = AuditCase.SUBMITTED
    case.submitted_at = now
    case.submissions += 1
    case.save(update_fields=["status", "submitted_at", "submissions"])
    if old == AuditCase.INACTIVE:
        _set_hold(case, "", actor=actor)
    history.record(Action.SUBMIT_AUDIT, case, actor=actor, professional=case.professional,
                   changes={"status": [old, case.status],
                            "credits": [None, [str(i.credit_entry_id) for i in open_items]]})
    return case


# -- the auditor's review --------------------------------------------------------------


@transaction.atomic
def do_claim_case(case: AuditCase, *, actor) -> AuditCase:
    """The auditor takes the case for AUDIT_CLAIM_MINUTES; nobody else reviews it until
    they release it or the claim expires. Claiming again extends one's own claim."""
    case = _lock(AuditCase, case.pk)
    now = timezone.now()
    holder = case.claim_holder(now)
    if holder is not None and holder.pk != actor.pk:
        raise ValidationError(f"{holder.get_username()} is reviewing this case until "
                              f"{timezone.localtime(case.claimed_until):%H:%M}.")
    case.claimed_by = actor
    case.claimed_until = now + timedelta(minutes=settings.AUDIT_CLAIM_MINUTES)
    case.save(update_fields=["claimed_by", "claimed_until"])
    history.record(Action.CLAIM_AUDIT, case, actor=actor, professional=case.professional,
                   changes={"claimed_until": [None, case.claimed_until.isoformat()]})
    return case


@transaction.atomic
def do_release_case(case: AuditCase, *, actor) -> AuditCase:
    case = _lock(AuditCase, case.pk)
    if case.claimed_by_id == actor.pk:
        case.claimed_by, case.claimed_until = None, None
        case.save(update_fields=["claimed_by", "claimed_until"])
        history.record(Action.CLAIM_AUDIT, case, actor=actor, professional=case.professional,
                       changes={"claimed_until": ["held", None]})
    return case


def _decide(item: AuditItem, outcome: str, reason: str, note: str, *, actor) -> None:
    """The body's decision on the credit (REVIEW-1): other bodies' standing is untouched."""
    case = item.case
    words = (f"{case.audit}: proof accepted" if outcome == AuditItem.ACCEPTED
             else f"{case.audit}: {REASON_WORDS[reason]}")
    if note:
        words = f"{words} ({note})"
    do_decide_credit_entry(item.credit_entry, case.audit.body,
                           CreditDecision.ACCEPTED if outcome == AuditItem.ACCEPTED
                           else CreditDecision.REJECTED,
                           actor=actor, reason=words[:500], note=note)


@transaction.atomic
def do_review_item(item: AuditItem, outcome: str, *, actor, today: date, reason: str = "",
                   note: str = "") -> AuditItem:
    """Accepts or rejects one submitted credit (reject: a reason from the list, and a
    note). The auditor must hold the case's claim. Once no credit awaits review, the
    outcome follows (passed or a replacement period)."""
    case = _lock(AuditCase, item.case_id)
    if case.status != AuditCase.SUBMITTED:
        raise ValidationError(f"This case is {case.get_status_display()}; there is nothing "
                              "to review.")
    holder = case.claim_holder()
    if holder is None or holder.pk != actor.pk:
        raise ValidationError("Claim the case before reviewing it (another auditor may "
                              "hold it, or your claim expired).")
    item = _lock(AuditItem, item.pk)
    item.case = case
    if not item.locked_at_submission:
        raise ValidationError("This credit's proof has not been submitted yet.")
    note = (note or "").strip()
    if outcome == AuditItem.ACCEPTED:
        reason = ""
    elif outcome == AuditItem.REJECTED:
        if reason not in REASON_WORDS:
            raise ValidationError({"reason": "Choose why the credit is rejected: "
                                             + ", ".join(REASON_WORDS.values()) + "."})
    else:
        raise ValidationError({"outcome": "Choose accept or reject."})
    if len(note) > 2000:
        raise ValidationError({"note": "The note is at most 2000 characters."})
    old = item.outcome
    item.outcome, item.reason, item.review_note = outcome, reason, note
    item.reviewed_by, item.reviewed_at = actor, timezone.now()
    item.save(update_fields=["outcome", "reason", "review_note", "reviewed_by",
                             "reviewed_at"])
    _decide(item, outcome, reason, note, actor=actor)
    history.record(Action.REVIEW_AUDIT, case, actor=actor, professional=case.professional,
                   changes={"credit": [None, str(item.credit_entry_id)],
                            "outcome": [old, outcome], "reason": [None, reason],
                            "note": [None, note]})
    if not case.items.filter(outcome=AuditItem.PENDING).exists():
        conclude(case, actor=actor, today=today)
    return item


def conclude(case: AuditCase, *, actor, today: date) -> AuditCase:
    """The outcome of a fully reviewed case, as the engine evaluates the audited cycle:
    the requirement met → passed; short → a replacement period (replacement_days from
    today). Called inside the action's transaction."""
    evaluation = audited_evaluation(case, today)
    old = case.status
    counted: dict[str, Decimal] = {}
    for result in evaluation.certifications:
        for credit in result.credits:
            counted[credit.id] = max(counted.get(credit.id, ZERO), credit.counted)
    for item in case.items.filter(replacement=True):
        ClaimedCredit.objects.filter(renewal=case.renewal, credit_entry=item.credit_entry
                                     ).update(counted=counted.get(str(item.credit_entry_id),
                                                                  ZERO))
    if requirement_met(evaluation):
        case.status = AuditCase.PASSED
        case.concluded_at = timezone.now()
        kind = "audit_passed"
        _set_hold(case, "", actor=actor)
    else:
        case.status = AuditCase.REPLACEMENT
        case.replacement_due_on = today + timedelta(days=case.audit.replacement_days)
        kind = "audit_replacement"
    case.claimed_by, case.claimed_until = None, None
    case.save()
    history.record(Action.AUDIT_OUTCOME, case, actor=actor, professional=case.professional,
                   changes={"status": [old, case.status],
                            "earned": [None, [history._jsonable(r.earned)
                                              for r in evaluation.certifications]],
                            "replacement_due_on": [None, history._jsonable(
                                case.replacement_due_on)]})
    emails.send_case_message(kind, case, today, actor=actor)
    return case


# -- appeals ---------------------------------------------------------------------------


@transaction.atomic
def do_appeal_item(item: AuditItem, note: str, *, actor, today: date,
                   uploads=()) -> AuditItem:
    """The professional appeals a rejected credit, once, with a note and documents."""
    case = _lock(AuditCase, item.case_id)
    item = _lock(AuditItem, item.pk)
    if item.outcome != AuditItem.REJECTED:
        raise ValidationError("Only a rejected credit can be appealed.")
    if item.appeal:
        raise ValidationError("This credit was appealed already; a credit is appealed once.")
    if case.status in AuditCase.CLOSED:
        raise ValidationError(f"This audit is {case.get_status_display()}.")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"appeal_note": "Say why the credit should be accepted."})
    if len(note) > 4000:
        raise ValidationError({"appeal_note": "The note is at most 4000 characters."})
    for uploaded in uploads:
        item.appeal_documents.add(do_attach_document(item.credit_entry, uploaded,
                                                     actor=actor))
    item.appeal, item.appeal_note = AuditItem.APPEAL_PENDING, note
    item.save(update_fields=["appeal", "appeal_note"])
    history.record(Action.APPEAL_AUDIT, case, actor=actor, professional=case.professional,
                   changes={"credit": [None, str(item.credit_entry_id)],
                            "appeal_note": [None, note]})
    return item


@transaction.atomic
def do_decide_appeal(item: AuditItem, grant: bool, *, actor, today: date,
                     note: str = "") -> AuditItem:
    """A different auditor than the one who rejected the credit decides its appeal;
    granted, the credit is accepted and the case's outcome is evaluated again."""
    case = _lock(AuditCase, item.case_id)
    item = _lock(AuditItem, item.pk)
    item.case = case
    if item.appeal != AuditItem.APPEAL_PENDING:
        raise ValidationError("There is no pending appeal on this credit.")
    if item.reviewed_by_id == actor.pk:
        raise ValidationError("A different auditor decides the appeal of a rejection.")
    item.appeal = AuditItem.APPEAL_GRANTED if grant else AuditItem.APPEAL_UPHELD
    item.appeal_decided_by = actor
    fields = ["appeal", "appeal_decided_by"]
    if grant:
        item.outcome, item.reason = AuditItem.ACCEPTED, ""
        fields += ["outcome", "reason"]
        _decide(item, AuditItem.ACCEPTED, "", (note or "appeal granted").strip(), actor=actor)
    item.save(update_fields=fields)
    history.record(Action.DECIDE_APPEAL, case, actor=actor, professional=case.professional,
                   changes={"credit": [None, str(item.credit_entry_id)],
                            "appeal": [AuditItem.APPEAL_PENDING, item.appeal]})
    if grant and case.status in (AuditCase.REPLACEMENT, AuditCase.INACTIVE) and \
            not case.items.filter(outcome=AuditItem.PENDING).exists():
        if requirement_met(audited_evaluation(case, today)):
            conclude(case, actor=actor, today=today)
    return item


# -- deadlines (the nightly run) -------------------------------------------------------


def _set_hold(case: AuditCase, hold: str, *, actor) -> None:
    for item in case.renewal.items.filter(active=True).select_related("certification"):
        certification = _lock(Certification, item.certification_id)
        if certification.audit_hold != hold:
            history.record(Action.STATUS_CHANGE, certification, actor=actor,
                           professional=case.professional,
                           changes={"audit_hold": [certification.audit_hold, hold]})
            certification.audit_hold = hold
            certification.save(update_fields=["audit_hold", "updated_at"])


def expire(case: AuditCase, today: date, *, actor) -> str | None:
    """Moves a locked case on by its deadlines: no proof by the due date (or by the end of
    a replacement period) → inactive for inactive_months; still none after → invalid.
    Returns the mail kind to send, or None. Safe to call twice."""
    deadline = case.deadline()
    if deadline is None or today <= deadline:
        return None
    old = case.status
    if case.status in (AuditCase.AWAITING, AuditCase.REPLACEMENT):
        case.status = AuditCase.INACTIVE
        case.inactive_until = add_months(deadline, case.audit.inactive_months)
        hold, kind = Certification.AUDIT_INACTIVE, "audit_inactive"
        if today > case.inactive_until:
            case.status, hold, kind = AuditCase.INVALID, Certification.AUDIT_INVALID, \
                "audit_invalid"
    else:  # inactive, and the inactive period is over
        case.status, hold, kind = AuditCase.INVALID, Certification.AUDIT_INVALID, \
            "audit_invalid"
    if case.status == AuditCase.INVALID:
        case.concluded_at = timezone.now()
    case.save()
    _set_hold(case, hold, actor=actor)
    history.record(Action.AUDIT_OUTCOME, case, actor=actor, professional=case.professional,
                   changes={"status": [old, case.status],
                            "inactive_until": [None, history._jsonable(case.inactive_until)]})
    return kind


def reminder_due(case: AuditCase, today: date) -> str | None:
    """The reminder to send today (the latest of 14 and 3 days before the deadline whose
    day has come), for a case awaiting proof or in its replacement period."""
    if case.status not in (AuditCase.AWAITING, AuditCase.REPLACEMENT):
        return None
    deadline = case.deadline()
    due = [k for k, days in AuditReminder.DAYS_BEFORE.items()
           if deadline - timedelta(days=days) <= today <= deadline]
    return min(due, key=lambda k: AuditReminder.DAYS_BEFORE[k]) if due else None


def run_case(case_id: int, today: date, *, actor=None) -> dict:
    """The nightly work of one case, in one transaction: deadlines, then a reminder."""
    out = {"changes": 0, "reminders": 0}
    with transaction.atomic():
        case = AuditCase.objects.select_for_update().select_related(
            "audit__body", "professional__user", "renewal").get(pk=case_id)
        kind = expire(case, today, actor=actor)
        if kind:
            out["changes"] += 1
            emails.send_case_message(kind, case, today, actor=actor)
        reminder = reminder_due(case, today)
        if reminder and not AuditReminder.objects.filter(
                case=case, kind=reminder, deadline=case.deadline()).exists():
            AuditReminder.objects.create(case=case, kind=reminder, deadline=case.deadline())
            emails.send_case_message("audit_reminder", case, today, actor=actor)
            out["reminders"] += 1
    return out


def case_chunks(size: int) -> list[list[int]]:
    ids = list(AuditCase.objects.exclude(status__in=AuditCase.CLOSED + (
        AuditCase.SUBMITTED,)).order_by("pk").values_list("pk", flat=True))
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def run_cases(ids: list[int], today: date, *, actor=None) -> dict:
    total = {"changes": 0, "reminders": 0}
    for pk in ids:
        for k, v in run_case(pk, today, actor=actor).items():
            total[k] += v
    return total
