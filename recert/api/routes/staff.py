"""The staff console through the API (issue 15): professionals search, one professional,
corrections, the audit cases and the petitions queue, for a staff token (or a signed-in staff
member whose session passed the second factor).

Each route finds its objects as the staff pages do, with the same functions: the caller's
roles and bodies are read per request (recert.core.access, recert.providers.access), the
search is the search page's (recert.staff.views.search), the professional is the staff
page's context (recert.staff.views.professional.page_context), and a correction goes
through the correction page's form and action (recert.staff.views.corrections). Out of the
caller's bodies is a 404; in them but without the role the page needs, a 403."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.forms.models import model_to_dict
from ninja import Query, Router, Schema
from pydantic import Field

from recert.api.idempotency import idempotent
from recert.api.problems import ApiProblem, form_errors, invalid
from recert.api.routes.common import MAX_ID, Id, responses
from recert.api.routes.credits import (
    IdempotencyKey,
    IfMatch,
    _check_version,
    _entries,
    credit_out,
    document_out,
    json_response,
)
from recert.api.schemas import (
    CertificationResultOut,
    CreditOut,
    DocumentOut,
    EvaluationOut,
    IsoDate,
    MemberIdOut,
    Text,
)
from recert.audits.models import AuditCase
from recert.core.access import (
    access_audit_case,
    access_certification,
    access_credit_entry,
    access_professional,
    staff_bodies,
    visible_audit_cases,
)
from recert.core.models import CreditEntry
from recert.core.models.staff import AUDITOR, REGISTRAR
from recert.providers.access import access_petition, petition_queue
from recert.providers.models import Petition
from recert.rules.case import certification_json, evaluation_json, format_decimal
from recert.staff.decorators import staff_refusal
from recert.staff.forms import CreditCorrectionForm, RemoveCreditForm, SearchForm
from recert.staff.views.audits import case_evaluation
from recert.staff.views.corrections import (
    add_credit_from,
    certification_dates_form,
    correct_certification_from,
    correct_credit_from,
    remove_credit_from,
)
from recert.staff.views.professional import page_context
from recert.staff.views.search import (
    COUNT_LIMIT,
    PAGE_SIZE,
    keyset_page,
    search_professionals,
    with_listing,
)

router = Router(tags=["staff"])
Cursor = Annotated[str | None, Field(None, max_length=40, description=(
    "Pass the next_cursor of the previous page unchanged."))]


def staff_actor(request, role: str | None = None):
    """The staff member calling (a staff token's user, or a signed-in staff member past the
    second factor), holding `role` at one of their bodies at least (any role when None):
    403 otherwise, as the staff pages' gate."""
    actor = request.auth.staff_actor()
    refusal = staff_refusal(actor, role, what="route")
    if refusal:
        raise ApiProblem(403, refusal)
    return actor


def _after(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    if not (cursor.isascii() and cursor.isdigit()) or not 0 < int(cursor) <= MAX_ID:
        raise invalid([{"field": "cursor", "message": "Pass the next_cursor of the previous "
                                                      "page unchanged."}])
    return int(cursor)


def _anchored(rows, after: int | None) -> int | None:
    """The cursor's row, which must still be among `rows` (else the page would start over)."""
    if after is not None and not rows.filter(pk=after).exists():
        raise invalid([{"field": "cursor", "message": "The row this cursor points at no "
                                                      "longer matches: start again without "
                                                      "a cursor."}])
    return after


def _page(rows: list, limit: int) -> tuple[list, str | None]:
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, str(rows[-1].pk) if more and rows else None


# --- output --------------------------------------------------------------------------------

class CycleOut(Schema):
    start: date
    end: date


class CertificationBriefOut(Schema):
    id: int
    body: str
    program: str
    status: str
    certified_on: date
    cycle_end: date | None = Field(description="The end of the open cycle, if one is open.")


class ProfessionalRowOut(Schema):
    id: int
    full_name: str
    email: str
    member_ids: list[MemberIdOut] = Field(description="Of your bodies only.")
    certifications: list[CertificationBriefOut] = Field(description="Of your bodies only.")


class ProfessionalPage(Schema):
    items: list[ProfessionalRowOut]
    found: int = Field(description=f"How many match, counted up to {COUNT_LIMIT}.")
    more: bool = Field(description=f"More than {COUNT_LIMIT} match: narrow the search.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null "
                                                "on the last page.")


class StaffCertificationOut(Schema):
    id: int
    body: str
    program: str
    program_name: str
    certified_on: date
    status: str
    deleted: bool
    cycle: CycleOut | None = Field(description="The open cycle, if one is open.")
    evaluation: CertificationResultOut | None = Field(
        description="The engine's evaluation today, as in `recert evaluate`'s output (null "
                    "for a deleted certification).")


class AuditCaseBriefOut(Schema):
    id: int
    body: str
    year: int
    status: str


class StaffHistoryOut(Schema):
    at: datetime
    action: str
    object_type: str
    object_id: int
    by: str = Field(description="The user name of who did it, or `the system`.")
    changes: dict[str, Any] = Field(description="What changed: {field: [before, after]} "
                                                "and the facts recorded with it.")


class StaffProfessionalOut(Schema):
    id: int
    full_name: str
    email: str
    member_ids: list[MemberIdOut]
    previous_names: list[str]
    certifications: list[StaffCertificationOut]
    credits: list[CreditOut] = Field(description="The credit log (shared by every body), "
                                                 "newest first; `version` is the If-Match "
                                                 "of a correction.")
    audit_cases: list[AuditCaseBriefOut]
    history: list[StaffHistoryOut] = Field(description="The latest changes about the "
                                                       "person and your bodies' records, "
                                                       "newest first.")


def _history_out(rows) -> list[dict]:
    return [{"at": h.at, "action": h.action, "object_type": h.object_type,
             "object_id": h.object_id,
             "by": h.actor.get_username() if h.actor_id else "the system",
             "changes": h.changes or {}}
            for h in rows]


def _cycle(certification) -> dict | None:
    cycle = certification.current_cycle()
    return {"start": cycle.start, "end": cycle.end} if cycle else None


def _certification_out(row) -> dict:
    c = row.certification
    return {"id": c.pk, "body": c.program.body.code, "program": c.program.code,
            "program_name": c.program.name, "certified_on": c.certified_on,
            "status": c.status, "deleted": c.deleted_at is not None, "cycle": _cycle(c),
            "evaluation": certification_json(row.result) if row.result is not None else None}


def _member_ids(rows) -> list[dict]:
    return [{"body": m.body.code, "member_id": m.member_id} for m in rows]


def _row_out(person) -> dict:
    return {"id": person.pk, "full_name": person.display_name, "email": person.email or "",
            "member_ids": _member_ids(person.member_ids.all()),
            "certifications": [
                {"id": c.pk, "body": c.program.body.code, "program": c.program.code,
                 "status": c.status, "certified_on": c.certified_on,
                 "cycle_end": (_cycle(c) or {}).get("end")}
                for c in person.certifications.all()]}


def professional_out(actor, person) -> dict:
    context = page_context(actor, person)
    entries = _entries(person).order_by("-earned_on", "-pk")
    return {
        "id": person.pk, "full_name": person.display_name, "email": person.email or "",
        "member_ids": _member_ids(context["member_ids"]),
        "previous_names": [p.full_name for p in context["previous_names"]],
        "certifications": [_certification_out(r) for r in context["certification_rows"]],
        "credits": [credit_out(e) for e in entries],
        "audit_cases": [{"id": case.pk, "body": case.audit.body.code, "year": case.audit.year,
                         "status": case.status} for case, _ in context["audit_cases"]],
        "history": _history_out(context["history"]),
    }


# --- professionals -------------------------------------------------------------------------

class SearchQuery(Schema):
    q: str | None = Field(None, max_length=200, description="Name, e-mail or member ID.")
    status: str | None = Field(None, max_length=40, description="Certification status.")
    program: str | None = Field(None, max_length=60, description=(
        "A program of your bodies: its code (CPT), BODY/CODE where two of your bodies share "
        "a code, or its id."))
    cycle_end_from: str | None = Field(None, max_length=40, description="Cycle ends from.")
    cycle_end_to: str | None = Field(None, max_length=40, description="Cycle ends by.")
    cursor: Cursor
    limit: int = Field(PAGE_SIZE, ge=1, le=200)


def _program_value(value: str | None, programs) -> str | None:
    """A program named by code or BODY/CODE as the form's value (its id); anything else as
    sent, for the form to refuse in its words."""
    if not value or value.isdigit():
        return value
    body, _, code = value.strip().rpartition("/")
    found = programs.filter(code__iexact=code)
    if body:
        found = found.filter(body__code__iexact=body)
    ids = list(found.values_list("pk", flat=True)[:2])
    return str(ids[0]) if len(ids) == 1 else value


@router.get("/staff/professionals", response=responses({200: ProfessionalPage}),
            summary="Professionals of your bodies, found as on the staff search page")
def staff_professional_list(request, query: Query[SearchQuery]):
    actor = staff_actor(request)
    bodies = staff_bodies(actor)
    data = {k: v for k, v in query.dict().items()
            if k in SearchForm.base_fields and v is not None}
    if "program" in data:
        data["program"] = _program_value(
            data["program"], SearchForm(bodies=bodies).fields["program"].queryset)
    form = SearchForm(data, bodies=bodies)
    if not form.is_valid():
        raise invalid(form_errors(form))
    # Nothing asked: every professional of the caller's bodies (the page asks first).
    people, _ = search_professionals(actor, form.cleaned_data, bodies)
    after = _anchored(people, _after(query.cursor))
    rows, _, has_next = keyset_page(with_listing(people, bodies), after=after, before=None,
                                    size=query.limit)
    found = people.order_by()[:COUNT_LIMIT + 1].count()
    return {"items": [_row_out(p) for p in rows], "found": min(found, COUNT_LIMIT),
            "more": found > COUNT_LIMIT,
            "next_cursor": str(rows[-1].pk) if has_next and rows else None}


@router.get("/staff/professionals/{professional_id}",
            response=responses({200: StaffProfessionalOut}), exclude_unset=True,
            url_name="staff_professional_detail",
            summary="One professional as the staff page shows them")
def staff_professional_detail(request, professional_id: Id):
    actor = staff_actor(request)
    person = access_professional(actor, professional_id, as_staff=True)
    return professional_out(actor, person)


# --- corrections ---------------------------------------------------------------------------

CREDIT_FIELDS = CreditCorrectionForm.Meta.fields


class CorrectionIn(Schema):
    """A registrar's correction, as on the staff pages, with the reason the professional
    sees. `add_credit`: the credit's fields (unit and credit type default as on the page's
    form). `correct_credit`: `entry_id` and the fields to
    change (the others keep their values). `remove_credit`: `entry_id`.
    `correct_certification`: `certification_id` and the dates to change."""

    kind: Literal["add_credit", "correct_credit", "remove_credit", "correct_certification"]
    reason: Text = Field(None, max_length=500, description="Required: the professional "
                                                           "sees it.")
    entry_id: int | None = Field(None, ge=1, le=MAX_ID)
    certification_id: int | None = Field(None, ge=1, le=MAX_ID)
    earned_on: IsoDate
    title: Text = None
    format: Text = Field(None, examples=["course"])
    amount: Text = Field(None, examples=["1.5"], description="A decimal string, like 1.5.")
    unit: Text = Field(None, examples=["cec"])
    awarded_by: Text = Field(None, examples=["ACSM"])
    provider: Text = None
    course_number: Text = None
    credit_type: Text = Field(None, examples=["cec"])
    grade: Text = None
    published_on: IsoDate
    certified_on: IsoDate
    cycle_start: IsoDate
    cycle_end: IsoDate


class CorrectionOut(Schema):
    kind: str
    professional_id: int
    credit: CreditOut | None = Field(description="The credit entry as it is now (for the "
                                                 "credit corrections).")
    certification: StaffCertificationOut | None = Field(
        description="The certification as it is now (for correct_certification).")


def _required(name: str, message: str) -> ApiProblem:
    return invalid([{"field": name, "message": message}])


def _sent(payload: CorrectionIn, names) -> dict:
    return {n: getattr(payload, n) for n in names if getattr(payload, n) is not None}


def _values(entry: CreditEntry) -> dict:
    """What the page's form shows before anyone types: the entry's values (a new entry's
    defaults, such as the unit), which fields left out of the request keep."""
    return {k: v for k, v in model_to_dict(entry, fields=CREDIT_FIELDS).items()
            if v not in (None, "")}


def _entry_of(actor, person, payload: CorrectionIn) -> CreditEntry:
    if payload.entry_id is None:
        raise _required("entry_id", "Choose the credit entry to correct (its id).")
    entry = access_credit_entry(actor, payload.entry_id, REGISTRAR, as_staff=True)
    if entry.professional_id != person.pk:
        raise ApiProblem(404, "No such credit entry of this professional.")
    return entry


def _refused(form) -> ApiProblem:
    return invalid(form_errors(form))


@router.post("/staff/professionals/{professional_id}/corrections",
             response=responses({201: CorrectionOut}, 409, 412),
             summary="A registrar's correction of a credit or a certification's dates")
@idempotent
def staff_correction(request, professional_id: Id, payload: CorrectionIn,
                     idempotency_key: IdempotencyKey = None, if_match: IfMatch = None):
    actor = staff_actor(request, REGISTRAR)
    person = access_professional(actor, professional_id, REGISTRAR, as_staff=True)
    out = {"kind": payload.kind, "professional_id": person.pk, "credit": None,
           "certification": None}
    reason = {"reason": payload.reason or ""}
    if payload.kind == "correct_certification":
        if payload.certification_id is None:
            raise _required("certification_id", "Choose the certification (its id).")
        certification = access_certification(actor, payload.certification_id, REGISTRAR,
                                             as_staff=True)
        if certification.professional_id != person.pk:
            raise ApiProblem(404, "No such certification of this professional.")
        form, _ = certification_dates_form(certification, {})
        data = {**{n: form.initial[n] for n in ("certified_on", "cycle_start", "cycle_end")
                   if form.initial.get(n)},
                **_sent(payload, ("certified_on", "cycle_start", "cycle_end")), **reason}
        form, _ = certification_dates_form(certification, data)
        if correct_certification_from(form, certification, actor) is None:
            raise _refused(form)
        context = page_context(actor, person)
        out["certification"] = next(_certification_out(r) for r in
                                    context["certification_rows"]
                                    if r.certification.pk == certification.pk)
        return json_response(out, 201)
    if payload.kind == "add_credit":
        blank = CreditEntry(professional=person)
        form = CreditCorrectionForm({**_values(blank), **_sent(payload, CREDIT_FIELDS),
                                     **reason}, instance=blank)
        entry = add_credit_from(form, person, actor)
        if entry is None:
            raise _refused(form)
    else:
        entry = _entry_of(actor, person, payload)
        with transaction.atomic():  # the version checked is the one changed
            locked = CreditEntry.objects.select_for_update().get(pk=entry.pk)
            _check_version(locked, if_match, required=False)
            if payload.kind == "remove_credit":
                form = RemoveCreditForm(reason)
                done = remove_credit_from(form, locked, actor)
            else:
                current = CreditEntry.objects.get(pk=entry.pk)
                form = CreditCorrectionForm({**_values(current),
                                             **_sent(payload, CREDIT_FIELDS), **reason},
                                            instance=current)
                done = correct_credit_from(form, locked, actor)
        if not done:
            raise _refused(form)
    out["credit"] = credit_out(_entries(person, deleted_too=True).get(pk=entry.pk))
    return json_response(out, 201)


# --- audits --------------------------------------------------------------------------------

class AuditCasesQuery(Schema):
    status: Literal[tuple(code for code, _ in AuditCase.STATUSES)] | None = Field(
        None, description="Only the cases in this state.")
    cursor: Cursor
    limit: int = Field(50, ge=1, le=200)


class PersonOut(Schema):
    id: int
    full_name: str


class AuditCaseRowOut(Schema):
    id: int
    audit_id: int
    body: str
    year: int
    stratum: str
    status: str
    status_label: str
    professional: PersonOut
    credits: int
    deadline: date | None
    claimed_by: str | None = Field(description="The auditor holding the case now.")
    submitted_at: datetime | None


class AuditCasePage(Schema):
    items: list[AuditCaseRowOut]
    next_cursor: str | None


class AuditItemOut(Schema):
    id: int
    credit_entry_id: int
    title: str
    earned_on: date
    amount: str
    unit: str
    counted: str
    replacement: bool
    outcome: str
    reason: str
    review_note: str
    reviewed_by: str | None
    appeal: str
    appeal_note: str
    documents: list[DocumentOut]
    appeal_documents: list[DocumentOut]


class AuditCaseOut(AuditCaseRowOut):
    notified_on: date
    due_on: date
    replacement_due_on: date | None
    inactive_until: date | None
    submissions: int
    note: str
    concluded_at: datetime | None
    items: list[AuditItemOut]
    evaluation: EvaluationOut | None = Field(
        description="The audited cycle as the engine sees it today (the case's credits "
                    "only), in `recert evaluate`'s shape.")


def _case_row(case, credits: int) -> dict:
    holder = case.claim_holder()
    return {"id": case.pk, "audit_id": case.audit_id, "body": case.audit.body.code,
            "year": case.audit.year, "stratum": case.stratum, "status": case.status,
            "status_label": case.get_status_display(),
            "professional": {"id": case.professional_id,
                             "full_name": case.professional.display_name},
            "credits": credits, "deadline": case.deadline(),
            "claimed_by": holder.get_username() if holder else None,
            "submitted_at": case.submitted_at}


def _documents(rows) -> list[dict]:
    return [document_out(d) for d in rows]


@router.get("/staff/audits/cases", response=responses({200: AuditCasePage}),
            summary="The audit cases of your bodies (auditor role), oldest first")
def staff_audit_case_list(request, query: Query[AuditCasesQuery]):
    actor = staff_actor(request, AUDITOR)
    cases = visible_audit_cases(actor, AUDITOR, as_staff=True)
    if query.status:
        cases = cases.filter(status=query.status)
    after = _after(query.cursor)
    if after:
        cases = cases.filter(pk__gt=after)
    rows = list(cases.select_related("audit__body", "professional", "claimed_by")
                .annotate(credit_count=Count("items")).order_by("pk")[:query.limit + 1])
    rows, cursor = _page(rows, query.limit)
    return {"items": [_case_row(c, c.credit_count) for c in rows], "next_cursor": cursor}


@router.get("/staff/audits/cases/{case_id}", response=responses({200: AuditCaseOut}),
            exclude_unset=True, summary="One audit case as the auditor's page shows it")
def staff_audit_case_detail(request, case_id: Id):
    from recert.core.models import Document

    actor = staff_actor(request, AUDITOR)
    case = access_audit_case(actor, case_id, AUDITOR, as_staff=True)
    items = list(case.items.select_related("credit_entry", "reviewed_by").prefetch_related(
        Prefetch("documents", Document.objects.order_by("pk")),
        Prefetch("appeal_documents", Document.objects.order_by("pk"))))
    evaluation = case_evaluation(case)
    return {
        **_case_row(case, len(items)),
        "notified_on": case.notified_on, "due_on": case.due_on,
        "replacement_due_on": case.replacement_due_on, "inactive_until": case.inactive_until,
        "submissions": case.submissions, "note": case.note, "concluded_at": case.concluded_at,
        "items": [{
            "id": i.pk, "credit_entry_id": i.credit_entry_id, "title": i.credit_entry.title,
            "earned_on": i.credit_entry.earned_on,
            "amount": format_decimal(i.credit_entry.amount), "unit": i.credit_entry.unit,
            "counted": format_decimal(i.counted), "replacement": i.replacement,
            "outcome": i.outcome, "reason": i.reason, "review_note": i.review_note,
            "reviewed_by": i.reviewed_by.get_username() if i.reviewed_by_id else None,
            "appeal": i.appeal, "appeal_note": i.appeal_note,
            "documents": _documents(i.documents.all()),
            "appeal_documents": _documents(i.appeal_documents.all())} for i in items],
        "evaluation": evaluation_json(evaluation) if evaluation is not None else None,
    }


# --- petitions -----------------------------------------------------------------------------

class PetitionsQuery(Schema):
    status: Literal[tuple(code for code, _ in Petition.STATES)] | None = Field(
        None, description="Only the petitions in this state (default: the open ones, "
                          "pending or more_information, as the queue page).")
    cursor: Cursor
    limit: int = Field(50, ge=1, le=200)


class CreditBriefOut(Schema):
    id: int
    title: str
    earned_on: date
    amount: str
    unit: str


class PetitionRowOut(Schema):
    id: int
    body: str
    state: str
    state_label: str
    professional: PersonOut
    credit: CreditBriefOut
    hours: str
    filed_at: datetime


class PetitionPage(Schema):
    items: list[PetitionRowOut]
    next_cursor: str | None


class PetitionMessageOut(Schema):
    kind: str
    text: str
    at: datetime
    by: str | None


class PetitionOut(PetitionRowOut):
    description: str
    note: str
    certificate: DocumentOut | None
    credits_granted: str | None
    reason: str
    decided_by: str | None
    decided_at: datetime | None
    messages: list[PetitionMessageOut]


def _petition_row(p) -> dict:
    e = p.credit_entry
    return {"id": p.pk, "body": p.body.code, "state": p.state,
            "state_label": p.get_state_display(),
            "professional": {"id": p.professional_id, "full_name": p.professional.display_name},
            "credit": {"id": e.pk, "title": e.title, "earned_on": e.earned_on,
                       "amount": format_decimal(e.amount), "unit": e.unit},
            "hours": format_decimal(p.hours), "filed_at": p.filed_at}


@router.get("/staff/petitions", response=responses({200: PetitionPage}),
            summary="The petitions of your bodies (auditor role), oldest first")
def staff_petition_list(request, query: Query[PetitionsQuery]):
    actor = staff_actor(request, AUDITOR)
    petitions = petition_queue(actor, (query.status,) if query.status else Petition.OPEN)
    after = _anchored(petitions, _after(query.cursor))
    if after:
        anchor = petitions.filter(pk=after).values_list("filed_at", flat=True).get()
        petitions = petitions.filter(Q(filed_at__gt=anchor) | Q(filed_at=anchor, pk__gt=after))
    rows = list(petitions.select_related("body", "professional", "credit_entry")
                .order_by("filed_at", "pk")[:query.limit + 1])
    rows, cursor = _page(rows, query.limit)
    return {"items": [_petition_row(p) for p in rows], "next_cursor": cursor}


@router.get("/staff/petitions/{petition_id}", response=responses({200: PetitionOut}),
            exclude_unset=True, summary="One petition as the reviewer's page shows it")
def staff_petition_detail(request, petition_id: Id):
    actor = staff_actor(request, AUDITOR)
    p = access_petition(actor, petition_id, AUDITOR, as_staff=True)
    return {
        **_petition_row(p), "description": p.description, "note": p.note,
        "certificate": _documents([p.certificate])[0] if p.certificate_id else None,
        "credits_granted": format_decimal(p.credits_granted)
        if p.credits_granted is not None else None,
        "reason": p.reason,
        "decided_by": p.decided_by.get_username() if p.decided_by_id else None,
        "decided_at": p.decided_at,
        "messages": [{"kind": m.kind, "text": m.text, "at": m.at,
                      "by": m.author.get_username() if m.author_id else None}
                     for m in p.messages.select_related("author")],
    }

