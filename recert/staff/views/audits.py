"""The yearly audit in the staff console (issue 13): auditors of a body start its audit
(preview of the strata, counts and seed before anything is written), follow its cases,
claim one, review its credits, decide appeals, and download the packet and summary."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from recert.audits import actions, selection
from recert.audits.models import Audit, AuditCase, AuditItem
from recert.core.access import access_audit, access_audit_case, staff_bodies
from recert.core.documents import serve_document
from recert.core.models import Document
from recert.core.models.staff import AUDITOR
from recert.staff.decorators import staff_required


class StartForm(forms.Form):
    year = forms.IntegerField(label="Audit year", min_value=2000, max_value=9999,
                              help_text="The renewals requested in the previous calendar "
                                        "year are audited.",
                              error_messages={"invalid": "Enter a year such as 2026."})
    seed = forms.RegexField(label="Seed", regex=r"^[A-Za-z0-9]{1,40}$", max_length=40,
                            help_text="The same seed and renewals make the same selection.",
                            error_messages={"invalid": "The seed is 1 to 40 letters or "
                                                       "digits."})


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(choices=[(AuditItem.ACCEPTED, "Accept"),
                                         (AuditItem.REJECTED, "Reject")],
                                error_messages={"required": "Choose accept or reject.",
                                                "invalid_choice": "Choose accept or reject."})
    reason = forms.ChoiceField(required=False, choices=[("", "—")] + AuditItem.REASONS,
                               error_messages={"invalid_choice": "Choose a reason from the "
                                                                 "list."})
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea)


def _body(request: HttpRequest, code: str):
    body = staff_bodies(request.user, AUDITOR).filter(code=code).first()
    if body is None:
        raise Http404("Not found, or not yours to see.")
    return body


@staff_required(AUDITOR)
def audit_index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    bodies = []
    for body in staff_bodies(request.user, AUDITOR).order_by("code"):
        bodies.append({"body": body, "policy": selection.audit_policy(body, today),
                       "audits": Audit.objects.filter(body=body).order_by("-year")})
    return render(request, "staff/audits/index.html", {"bodies": bodies, "year": today.year})


@staff_required(AUDITOR)
def audit_start(request: HttpRequest, body_code: str) -> HttpResponse:
    body = _body(request, body_code)
    today = timezone.localdate()
    policy = selection.audit_policy(body, today)
    if policy is None:
        return render(request, "staff/audits/start.html", {"body": body, "policy": None})
    data = request.POST if request.method == "POST" else (
        request.GET if "year" in request.GET else {"year": today.year,
                                                   "seed": selection.new_seed()})
    form = StartForm(data)
    strata, status = None, 200
    if form.is_valid():
        year, seed = form.cleaned_data["year"], form.cleaned_data["seed"]
        if request.method == "POST" and request.POST.get("commit"):
            try:
                audit = actions.do_start_audit(body, year, seed, actor=request.user,
                                               today=today)
            except ValidationError as error:
                for field, errs in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
                status = 400
            else:
                messages.success(request, f"The {body.code} audit of {year} started: "
                                          f"{audit.selected_count} renewals selected.")
                return redirect("staff:audit", audit.pk)
        if form.is_valid():
            strata = selection.preview(body, year, seed, today)
    else:
        status = 400 if request.method == "POST" or "year" in request.GET else 200
    started = Audit.objects.filter(body=body, year=form.cleaned_data.get("year")).first() \
        if form.is_valid() else None
    return render(request, "staff/audits/start.html", {
        "body": body, "policy": policy, "form": form, "strata": strata, "started": started,
        "selected": sum(len(s.selected) for s in strata or ()),
        "population": sum(s.population for s in strata or ()),
    }, status=status)


@staff_required(AUDITOR)
def audit(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = access_audit(request.user, audit_id, AUDITOR)
    cases = list(audit.cases.select_related("professional").annotate(
        credits=Count("items")).order_by("stratum", "professional__full_name", "pk"))
    counts: dict[str, dict[str, int]] = {}
    for case in cases:
        row = counts.setdefault(case.stratum, {})
        row[case.status] = row.get(case.status, 0) + 1
    strata = [{**s, "selected_count": len(s["selected"]),
               "statuses": counts.get(s["program"], {})} for s in audit.strata]
    return render(request, "staff/audits/audit.html", {
        "audit": audit, "cases": cases, "strata": strata, "statuses": AuditCase.STATUSES})


def _case(request: HttpRequest, case_id: int) -> AuditCase:
    return access_audit_case(request.user, case_id, AUDITOR, as_staff=True)


@staff_required(AUDITOR)
def audit_case(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    items = list(case.items.select_related("credit_entry", "reviewed_by").prefetch_related(
        Prefetch("documents", Document.objects.order_by("pk")),
        Prefetch("appeal_documents", Document.objects.order_by("pk"))))
    holder = case.claim_holder()
    return render(request, "staff/audits/case.html", {
        "case": case, "items": items, "holder": holder,
        "mine": holder is not None and holder.pk == request.user.pk,
        "reasons": AuditItem.REASONS, "evaluation": case_evaluation(case),
    })


def case_evaluation(case: AuditCase):
    """The audited cycle as the engine sees it today, or None when it cannot tell."""
    try:
        return actions.audited_evaluation(case, timezone.localdate())
    except (KeyError, ValueError):
        return None


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


@require_POST
@staff_required(AUDITOR)
def audit_claim(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    try:
        if request.POST.get("release"):
            actions.do_release_case(case, actor=request.user)
        else:
            actions.do_claim_case(case, actor=request.user)
    except ValidationError as error:
        _refused(request, error)
    return redirect("staff:audit_case", case.pk)


def _item(case: AuditCase, item_id: int) -> AuditItem:
    item = case.items.select_related("credit_entry", "case").filter(pk=item_id).first()
    if item is None:
        raise Http404("No such credit in this case.")
    return item


@require_POST
@staff_required(AUDITOR)
def audit_review(request: HttpRequest, case_id: int, item_id: int) -> HttpResponse:
    case = _case(request, case_id)
    item = _item(case, item_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return redirect("staff:audit_case", case.pk)
    try:
        actions.do_review_item(item, form.cleaned_data["outcome"], actor=request.user,
                               today=timezone.localdate(), reason=form.cleaned_data["reason"],
                               note=form.cleaned_data["note"])
    except ValidationError as error:
        _refused(request, error)
    return redirect("staff:audit_case", case.pk)


@require_POST
@staff_required(AUDITOR)
def audit_appeal_decide(request: HttpRequest, case_id: int, item_id: int) -> HttpResponse:
    case = _case(request, case_id)
    item = _item(case, item_id)
    decision = request.POST.get("decision")
    if decision not in ("grant", "uphold"):
        messages.error(request, "Choose to grant the appeal or uphold the rejection.")
        return redirect("staff:audit_case", case.pk)
    try:
        actions.do_decide_appeal(item, decision == "grant", actor=request.user,
                                 today=timezone.localdate(),
                                 note=request.POST.get("note", "")[:2000])
    except ValidationError as error:
        _refused(request, error)
    return redirect("staff:audit_case", case.pk)


@staff_required(AUDITOR)
def audit_document(request: HttpRequest, case_id: int, document_id: int):
    case = _case(request, case_id)
    document = Document.objects.filter(pk=document_id, credit_entry__audit_items__case=case
                                       ).first()
    if document is None:
        raise Http404("No such document in this case.")
    return serve_document(document)


@staff_required(AUDITOR)
def audit_packet(request: HttpRequest, case_id: int) -> HttpResponse:
    from recert.audits.packet import packet_pdf

    case = _case(request, case_id)
    response = HttpResponse(packet_pdf(case), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="audit-case-{case.pk}.pdf"'
    return response


@staff_required(AUDITOR)
def audit_files(request: HttpRequest, case_id: int) -> HttpResponse:
    from recert.audits.packet import files_zip

    case = _case(request, case_id)
    response = HttpResponse(files_zip(case), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="audit-case-{case.pk}-files.zip"'
    return response


@staff_required(AUDITOR)
def audit_summary(request: HttpRequest, audit_id: int) -> HttpResponse:
    from recert.audits.packet import summary_xlsx

    audit = access_audit(request.user, audit_id, AUDITOR)
    response = HttpResponse(summary_xlsx(audit), content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = (
        f'attachment; filename="audit-{audit.body.code}-{audit.year}-summary.xlsx"')
    return response
