"""Reinstating a certification, recording a passed exam (registrar) and recording an
offline payment (finance) from the professional's page, through the renewal actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from recert.core.access import access_certification, access_invoice
from recert.core.models.staff import FINANCE, REGISTRAR
from recert.renewals.actions import (
    PaymentRefused,
    do_record_exam_pass,
    do_record_payment,
    do_reinstate_certification,
)
from recert.staff.decorators import staff_required
from recert.staff.forms import ExamPassForm, OfflinePaymentForm, ReinstateForm
from recert.staff.views.professional import page_context


def _back(person) -> HttpResponse:
    return redirect("staff:professional", person.pk)


def _again(request: HttpRequest, person, key, form) -> HttpResponse:
    """The professional's page with the posted form and its errors in place."""
    return render(request, "staff/professional.html",
                  page_context(request.user, person, bound={key: form}), status=400)


def _label(certification) -> str:
    return f"{certification.program.body.code} {certification.program.code}"


@require_POST
@staff_required(REGISTRAR)
def reinstate(request: HttpRequest, certification_id: int) -> HttpResponse:
    certification = access_certification(request.user, certification_id, REGISTRAR,
                                         as_staff=True)
    person = certification.professional
    form = ReinstateForm(request.POST, prefix=f"r{certification.pk}")
    if not form.is_valid():
        return _again(request, person, ("reinstate", certification.pk), form)
    try:
        do_reinstate_certification(certification, form.cleaned_data["reason"],
                                   actor=request.user, as_of=timezone.localdate())
    except ValidationError as e:
        form.add_error("reason", e.messages)
        return _again(request, person, ("reinstate", certification.pk), form)
    messages.success(request, f"{_label(certification)} reinstated.")
    return _back(person)


@require_POST
@staff_required(REGISTRAR)
def record_exam(request: HttpRequest, certification_id: int) -> HttpResponse:
    certification = access_certification(request.user, certification_id, REGISTRAR,
                                         as_staff=True)
    person = certification.professional
    form = ExamPassForm(request.POST, prefix=f"e{certification.pk}",
                        today=timezone.localdate())
    if not form.is_valid():
        return _again(request, person, ("exam", certification.pk), form)
    try:
        cycle = do_record_exam_pass(certification, form.cleaned_data["passed_on"],
                                    actor=request.user)
    except ValidationError as e:
        form.add_error("passed_on", e.messages)
        return _again(request, person, ("exam", certification.pk), form)
    messages.success(request, f"{_label(certification)} renewed by exam; the new cycle runs "
                              f"{cycle.start:%m/%d/%Y} – {cycle.end:%m/%d/%Y}.")
    return _back(person)


@require_POST
@staff_required(FINANCE)
def record_payment(request: HttpRequest, number: str) -> HttpResponse:
    invoice = access_invoice(request.user, number, FINANCE, as_staff=True)
    person = invoice.professional
    form = OfflinePaymentForm(request.POST, prefix=f"p{invoice.pk}")
    if not form.is_valid():
        return _again(request, person, ("payment", invoice.number), form)
    try:
        payment, created = do_record_payment(
            invoice, gateway="offline", reference=form.cleaned_data["reference"].strip(),
            amount=invoice.total, idempotency_key=f"offline:{invoice.number}",
            actor=request.user)
    except PaymentRefused as e:
        messages.error(request, str(e))
        return _back(person)
    if created:
        messages.success(request, f"Payment of ${payment.amount} recorded for invoice "
                                  f"{invoice.number}; the renewal is complete.")
    else:
        messages.warning(request, f"Invoice {invoice.number} was already paid; nothing "
                                  "was recorded.")
    return _back(person)
