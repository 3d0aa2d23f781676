"""My certifications: the list with every cycle, adding one, and the CPR/AED date."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from recert.core.access import access_certification, own_professional
from recert.core.actions.certifications import do_create_certification, do_update_certification
from recert.core.actions.credits import atomic_with_documents
from recert.core.actions.professionals import do_set_cpr_aed, do_set_member_id
from recert.core.evaluation import evaluated_of
from recert.core.models import Certification, CprAed, CreditEntry, Cycle, History, MemberId
from recert.front import explain
from recert.front.forms import CertificationForm, CprAedForm, CprForm, describe
from recert.front.views.common import label
from recert.verify.actions import badge_refusal


def taken_message(body) -> str:
    return (f"That member id is already registered for {body.code}; check the number or "
            "contact staff.")


def add_model_errors(form, error: ValidationError, body) -> None:
    """The model's own checks, shown at the form's fields (a duplicate member id in plain
    words); what belongs to no field of the form is shown at the top."""
    details = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS:
                                                                     error.error_list}
    for name, errors in details.items():
        for item in errors:
            if item.code in ("unique", "unique_together") and name in (NON_FIELD_ERRORS,
                                                                      "member_id"):
                form.add_error("member_id", taken_message(body))
            elif name in form.fields:
                form.add_error(name, item.messages)
            else:
                form.add_error(None, item.messages)


@login_required
def certification_list(request: HttpRequest) -> HttpResponse:
    professional = own_professional(request.user)
    form = CertificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with transaction.atomic():
                certification = do_create_certification(
                    professional, d["program"], d["certified_on"], actor=request.user,
                    cpr_aed_valid_until=d.get("cpr_aed_valid_until"))
                if d["member_id"]:
                    do_set_member_id(professional, d["body"], d["member_id"], actor=request.user)
        except IntegrityError:
            # Two requests raced past the model's checks: the database said the same thing.
            form.add_error("member_id", taken_message(d["body"]))
        except ValidationError as error:
            add_model_errors(form, error, d["body"])
        else:
            messages.success(request, f"Added {label(certification)}.")
            return redirect("certifications")
    certifications = list(
        Certification.objects.filter(professional=professional)
        .select_related("program__body", "professional__cpr_aed").prefetch_related("cycles")
    )
    member_ids = {m.body_id: m.member_id for m in MemberId.objects.filter(
        professional=professional)}
    return render(request, "front/certifications.html", {
        "certifications": [(c, member_ids.get(c.program.body_id)) for c in certifications],
        "form": describe(form),
        "cpr": CprAed.objects.filter(professional=professional).first(),
    })


@login_required
def certification(request: HttpRequest, certification_id: int) -> HttpResponse:
    certification = access_certification(request.user, certification_id, own=True)
    professional = certification.professional
    certifications, evaluated = evaluated_of(professional, timezone.localdate())
    result = next((r for c, r in evaluated.rows(certifications) if c.pk == certification.pk),
                  None)
    # The entries this certification's result names, in one query.
    entries = {str(e.pk): e for e in CreditEntry.objects.filter(
        professional=professional, pk__in=[int(r.id) for r in result.credits] if result else [])}
    credit_rows = [(entries[r.id], r, explain.reason(r.outcome, r.rules))
                   for r in result.credits] if result else []
    # The certification's rows and the person's CPR/AED changes (which apply to it too).
    history = (History.objects.of(certification)
               | History.objects.of(professional).filter(
                   action=History.Action.SET_CPR_AED)).order_by("-at", "-id")
    return render(request, "front/certification.html", {
        "professional": professional, "certification": certification, "result": result,
        "label": label(certification), "credit_rows": credit_rows,
        "status_words": explain.STATUSES.get(result.status, "") if result else "",
        "blockers": explain.blockers(result, certification) if result else [],
        "cycles": Cycle.objects.filter(certification=certification).order_by("-number"),
        "cpr_form": describe(CprForm(initial={
            "cpr_aed_valid_until": certification.cpr_aed_valid_until})),
        "history": history, "as_of": evaluated.evaluation.as_of,
        "badge_refusal": badge_refusal(certification, result.status if result else None),
    })


@require_POST
@login_required
def certification_cpr(request: HttpRequest, certification_id: int) -> HttpResponse:
    certification = access_certification(request.user, certification_id, own=True)
    form = CprForm(request.POST)
    if form.is_valid():
        do_update_certification(certification, actor=request.user,
                                cpr_aed_valid_until=form.cleaned_data["cpr_aed_valid_until"])
        messages.success(request, "Saved the CPR/AED date.")
        return redirect("certification", certification.pk)
    messages.error(request, "CPR/AED valid until: " + " ".join(
        form.errors.get("cpr_aed_valid_until", [])))
    return redirect("certification", certification.pk)


@login_required
def cpr_aed(request: HttpRequest) -> HttpResponse:
    """The person's CPR/AED record (provider, expiry, card), used by every certification
    and the renewal form."""
    professional = own_professional(request.user)
    record = CprAed.objects.filter(professional=professional).first()
    initial = {"provider": record.provider, "valid_until": record.valid_until} if record else {}
    form = CprAedForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with atomic_with_documents():
            do_set_cpr_aed(professional, actor=request.user, valid_until=d["valid_until"],
                           provider=d["provider"], card=d["card"] or None)
        messages.success(request, "Saved your CPR/AED certification; it applies to all your "
                                  "certifications.")
        return redirect("cpr_aed")
    certifications = (Certification.objects.filter(professional=professional)
                      .select_related("program__body"))
    return render(request, "front/cpr.html", {
        "form": describe(form), "record": record,
        "labels": [label(c) for c in certifications],
    }, status=400 if form.errors else 200)


@login_required
def cpr_card(request: HttpRequest) -> FileResponse:
    """The card, to its owner only (never from a public URL)."""
    professional = own_professional(request.user)
    record = CprAed.objects.filter(professional=professional).exclude(card="").first()
    if record is None:
        raise Http404("No CPR/AED card on file.")
    response = FileResponse(record.card.open("rb"), content_type=record.card_content_type,
                            as_attachment=False, filename=record.card_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
