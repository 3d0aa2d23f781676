"""Renewal pages: the form, contact details, invoice and receipt, Stripe checkout/webhook."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from recert.core.access import NOT_FOUND, access_invoice, own_professional
from recert.core.actions.professionals import PROFESSIONAL_FIELDS
from recert.core.models import Professional
from recert.renewals import gateways
from recert.renewals.actions import (
    PaymentRefused,
    check_invoice,
    do_apply_stripe_checkout,
    do_start_checkout,
    do_start_renewal,
    do_update_contact_details,
    invalid_message,
)
from recert.renewals.forms import ContactDetailsForm, RenewalForm
from recert.renewals.models import Invoice
from recert.renewals.quotes import quote_renewal
from recert.renewals.receipts import receipt_pdf
from recert.rules import format_decimal

log = logging.getLogger(__name__)


def _contact(professional: Professional) -> dict:
    return {name: getattr(professional, name) for name in PROFESSIONAL_FIELDS}


@login_required
def start(request: HttpRequest, certification_id: int) -> HttpResponse:
    professional = own_professional(request.user)
    today = timezone.localdate()
    quote = quote_renewal(professional, certification_id, today)
    if quote is None:
        # Someone else's, deleted or unknown: all look the same from outside.
        raise Http404(NOT_FOUND)
    context = {"professional": professional, "quote": quote, "as_of": today}
    if not quote.can_renew:
        return render(request, "renewals/refused.html", context, status=200)
    kwargs = {"body_code": quote.body_code, "required": quote.required, "renewal_date": today,
              "cpr_aed_required": quote.cpr_aed_required}
    if request.method == "POST":
        form = RenewalForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                renewal = do_start_renewal(
                    quote, cecs_through_body=form.cleaned_data["cecs_through_body"],
                    cecs_other=form.cleaned_data["cecs_other"],
                    cpr_aed_valid_until=form.cleaned_data["cpr_aed_valid_until"],
                    confirmed_details=_contact(professional), actor=request.user)
            except ValidationError as e:
                form.add_error(None, e)
            else:
                return redirect("renewals:invoice", number=renewal.invoice.number)
    else:
        form = RenewalForm(initial={
            "cecs_through_body": format_decimal(quote.cecs_through_body),
            "cecs_other": format_decimal(quote.cecs_other),
            "cpr_aed_valid_until": quote.certification.cpr_aed_valid_until,
        }, **kwargs)
    context["form"] = form
    return render(request, "renewals/renew.html", context)


@login_required
def contact(request: HttpRequest) -> HttpResponse:
    professional = own_professional(request.user)
    next_url = request.POST.get("next") or request.GET.get("next") or reverse("dashboard")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()},
                                           require_https=request.is_secure()):
        next_url = reverse("dashboard")
    form = ContactDetailsForm(request.POST or None, instance=Professional.objects.get(
        pk=professional.pk))
    if request.method == "POST" and form.is_valid():
        do_update_contact_details(professional, actor=request.user,
                                  **{k: form.cleaned_data[k] for k in PROFESSIONAL_FIELDS})
        messages.success(request, "Your contact details were saved.")
        return redirect(next_url)
    return render(request, "renewals/contact.html", {"form": form, "next": next_url,
                                                      "heading": "Edit contact details"})


@login_required
def invoices(request: HttpRequest) -> HttpResponse:
    """Every invoice of the professional, newest first, each with its receipt once paid."""
    professional = own_professional(request.user)
    invoices = (Invoice.objects.filter(professional=professional)
                .select_related("renewal__body").order_by("-issued_on", "-number"))
    return render(request, "renewals/invoices.html", {"invoices": invoices})


@login_required
def invoice(request: HttpRequest, number: str) -> HttpResponse:
    invoice = access_invoice(request.user, number, own=True)
    check = check_invoice(invoice, timezone.localdate())
    return render(request, "renewals/invoice.html", {
        "invoice": invoice,
        "blocked": invalid_message(invoice, check) if check.invalid else "",
        "late_fee_due": check.late_fee,
        "renewal": invoice.renewal,
        "lines": invoice.lines.all(),
        "items": invoice.renewal.items.select_related("certification__program__body", "cycle"),
        "payment": getattr(invoice, "payment", None),
        "gateways": [] if check.invalid else gateways.available(),
    })


@login_required
@require_POST
def pay_online(request: HttpRequest, number: str) -> HttpResponse:
    invoice = access_invoice(request.user, number, own=True)
    page = request.build_absolute_uri(reverse("renewals:invoice", args=[invoice.number]))
    try:
        url = do_start_checkout(invoice, success_url=page + "?paid=1", cancel_url=page,
                                actor=request.user)
    except PaymentRefused as e:
        messages.error(request, str(e))
        return redirect("renewals:invoice", number=invoice.number)
    except gateways.GatewayError as e:
        log.warning("Stripe checkout for invoice %s failed: %s", invoice.number, e)
        messages.error(request, "The payment service could not be reached; nothing was "
                                "charged. Please try again in a few minutes.")
        return redirect("renewals:invoice", number=invoice.number)
    return redirect(url)


@login_required
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    invoice = access_invoice(request.user, number, own=True)
    if not invoice.is_paid:
        raise Http404("No receipt until the invoice is paid.")
    response = HttpResponse(receipt_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{invoice.number}.pdf"'
    return response


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's events, signature checked (no CSRF token: the signature is the check);
    do_apply_stripe_checkout applies a paid checkout once, however often it is replayed."""
    try:
        event = gateways.construct_event(request.body,
                                         request.headers.get("Stripe-Signature", ""))
    except gateways.SignatureError as e:
        log.warning("Stripe webhook refused: %s", e)
        return HttpResponseBadRequest("bad signature")
    except ValueError:
        return HttpResponseBadRequest("malformed event")
    try:
        outcome = do_apply_stripe_checkout(event)
    except ValueError:
        return HttpResponseBadRequest("malformed event")
    return HttpResponse(outcome.value)
