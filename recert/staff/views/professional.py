"""One professional on one screen, as the staff of their bodies see them: certifications
with their cycles and the engine's evaluation, credits with their review states and
documents, invoices, audit cases and the history (issue 12). Of the professional's data only that of
the staff member's bodies is shown (certifications, decisions, invoices, history of those);
the credit log is shared by every body (REVIEW-1)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from recert.audits.models import AuditCase
from recert.core.access import access_professional, staff_roles, visible_invoices
from recert.core.evaluation import standing_of
from recert.core.models import (
    Certification,
    CertifyingBody,
    CprAed,
    CreditDecision,
    CreditEntry,
    Cycle,
    Document,
    History,
    MemberId,
    PreviousName,
    Professional,
)
from recert.core.models.staff import AUDITOR, FINANCE, REGISTRAR
from recert.front import explain
from recert.staff.decorators import staff_required
from recert.staff.forms import ExamPassForm, OfflinePaymentForm, ReinstateForm

# The page shows the latest history rows; the full history stays in the database.
HISTORY_SHOWN = 100


@dataclass
class CertificationRow:
    certification: Certification
    result: object  # the engine's CertificationResult, None for a deleted one
    blockers: list[str]
    standing: tuple[str, str] | None
    registrar: bool
    reinstate_form: ReinstateForm | None = None
    exam_form: ExamPassForm | None = None


@dataclass
class CreditRow:
    entry: CreditEntry
    counted: list[tuple[str, str, object, str]]  # (label, outcome, counted, reason)
    decisions: list[CreditDecision]
    documents: list[Document] = field(default_factory=list)


def _history_in_scope(person: Professional, certification_ids, invoice_ids, renewal_ids,
                      member_id_ids, case_ids, body_codes):
    """The person's history without the rows about another body's certifications,
    invoices, renewals, member ids, audit cases and reviews (a decision names its body)."""
    other = (Q(object_type="certification") & ~Q(object_id__in=certification_ids)
             | Q(object_type="invoice") & ~Q(object_id__in=invoice_ids)
             | Q(object_type="renewal") & ~Q(object_id__in=renewal_ids)
             | Q(object_type="memberid") & ~Q(object_id__in=member_id_ids)
             | Q(object_type="auditcase") & ~Q(object_id__in=case_ids)
             | Q(action=History.Action.DECIDE) & ~Q(changes__body__1__in=list(body_codes)))
    return (History.objects.filter(professional=person).exclude(other)
            .select_related("actor").order_by("-at", "-id"))


def page_context(actor, person: Professional, *,
                 bound: dict[tuple[str, object], object] | None = None) -> dict:
    """Everything the page shows to `actor` (the staff member), in a fixed number of queries
    (the API's staff view of a professional reads it too). `bound`: a form posted back with
    errors, by (kind, object id), shown in place of the empty one."""
    bound = bound or {}
    today = timezone.localdate()
    roles = staff_roles(actor)
    body_codes = set(roles)
    registrar_at = {code for code, names in roles.items() if REGISTRAR in names}
    finance_at = {code for code, names in roles.items() if FINANCE in names}
    bodies = CertifyingBody.objects.filter(code__in=body_codes)

    standing = standing_of(person, today)
    results = {c.pk: r for c, r in standing.rows()}
    certifications = list(
        Certification.all_objects.filter(professional=person, program__body__in=bodies)
        .select_related("program__body", "professional__cpr_aed")
        .prefetch_related(Prefetch("cycles", Cycle.objects.order_by("number")))
        .order_by("deleted_at", "certified_on", "id"))
    rows = []
    for c in certifications:
        result = results.get(c.pk) if c.deleted_at is None else None
        registrar = c.program.body.code in registrar_at and c.deleted_at is None
        rows.append(CertificationRow(
            certification=c, result=result,
            blockers=explain.blockers(result, c) if result else [],
            standing=explain.standing_words(result, c) if result else None,
            registrar=registrar,
            reinstate_form=(bound.get(("reinstate", c.pk)) or ReinstateForm(prefix=f"r{c.pk}"))
            if registrar else None,
            exam_form=(bound.get(("exam", c.pk)) or ExamPassForm(prefix=f"e{c.pk}", today=today))
            if registrar else None,
        ))
    # Credits are the person's, shared by every body: a registrar of any body that certifies
    # them may correct them.
    corrects_credits = any(r.registrar for r in rows)
    labels = {str(c.pk): f"{c.program.body.code} {c.program.code}"
              for c in certifications if c.deleted_at is None}

    counted: dict[str, list] = {}
    for certification, result in standing.rows():
        if result is None or str(certification.pk) not in labels:
            continue
        for credit in result.credits:
            counted.setdefault(credit.id, []).append(
                (labels[str(certification.pk)], credit.outcome, credit.counted,
                 explain.reason(credit.outcome, credit.rules)))
    documents: dict[int, list[Document]] = {}
    for document in Document.objects.filter(credit_entry__professional=person).order_by(
            "uploaded_at", "id"):
        documents.setdefault(document.credit_entry_id, []).append(document)
    credit_rows = [
        CreditRow(entry=e, counted=counted.get(str(e.pk), []),
                  decisions=[d for d in e.decisions.all() if d.body.code in body_codes],
                  documents=documents.get(e.pk, []))
        for e in sorted(standing.credits, key=lambda e: (e.earned_on, e.pk), reverse=True)]
    removed = list(CreditEntry.all_objects.filter(professional=person,
                                                  deleted_at__isnull=False)
                   .order_by("-deleted_at", "-id"))

    invoices = list(visible_invoices(actor, as_staff=True).filter(professional=person)
                    .select_related("renewal__body", "payment")
                    .prefetch_related("lines").order_by("-issued_on", "-id"))
    invoice_rows = [
        (invoice,
         (bound.get(("payment", invoice.number)) or OfflinePaymentForm(prefix=f"p{invoice.pk}"))
         if invoice.status == invoice.OPEN and invoice.renewal.body.code in finance_at else None)
        for invoice in invoices]
    auditor_at = {code for code, names in roles.items() if AUDITOR in names}
    audit_cases = [(case, case.audit.body.code in auditor_at) for case in
                   AuditCase.objects.filter(professional=person, audit__body__in=bodies)
                   .select_related("audit__body").order_by("-audit__year", "-id")]
    member_ids = list(MemberId.objects.filter(professional=person, body__in=bodies)
                      .select_related("body"))
    history = list(_history_in_scope(
        person, [c.pk for c in certifications], [i.pk for i in invoices],
        [i.renewal_id for i in invoices], [m.pk for m in member_ids],
        [case.pk for case, _ in audit_cases], body_codes)[:HISTORY_SHOWN])
    return {
        "person": person, "today": today, "roles": roles,
        "member_ids": member_ids, "certification_rows": rows, "credit_rows": credit_rows,
        "removed_credits": removed, "invoice_rows": invoice_rows, "history": history,
        "history_shown": HISTORY_SHOWN, "corrects_credits": corrects_credits,
        "audit_cases": audit_cases,
        "previous_names": list(PreviousName.objects.filter(professional=person)),
        "cpr_aed": CprAed.objects.filter(professional=person).first(),
    }


@staff_required()
def professional(request: HttpRequest, professional_id: int) -> HttpResponse:
    person = access_professional(request.user, professional_id, as_staff=True)
    return render(request, "staff/professional.html", page_context(request.user, person))
