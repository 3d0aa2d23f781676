"""Renewal pages: the form, contact details, invoice and receipt, Stripe checkout/webhook."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
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

from recert.core.actions.professionals import PROFESSIONAL_FIELDS
from recert.core.models import Professional
from recert.renewals import gateways
from recert.renewals.actions import (
    PaymentRefused,
    check_invoice,
    do_record_payment,
    do_start_renewal,
    do_update_contact_details,
    invalid_message,
    settle_invoice,
)
from recert.renewals.forms import ContactDetailsForm, RenewalForm
from recert.renewals.models import Invoice, Payment, PaymentIssue
from recert.renewals.quotes import quote_renewal
from recert.renewals.receipts import receipt_pdf
from recert.rules import format_decimal

log = logging.getLogger(__name__)


def _professional(request: HttpRequest) -> Professional:
    professional = Professional.objects.filter(user=request.user).first()
    if professional is None:
        raise Http404("No professional profile.")
    return professional


def _contact(professional: Professional) -> dict:
    return {name: getattr(professional, name) for name in PROFESSIONAL_FIELDS}


@login_required
def start(request: HttpRequest, certification_id: int) -> HttpResponse:
    professional = _professional(request)
    today = timezone.localdate()
    quote = quote_renewal(professional, certification_id, today)
    if quote is None:
        # Someone else's, deleted or unknown: all look the same from outside.
        raise Http404("No such certification.")
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
def contact_details(request: HttpRequest) -> HttpResponse:
    professional = _professional(request)
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
def invoice_list(request: HttpRequest) -> HttpResponse:
    """Every invoice of the professional, newest first, each with its receipt once paid."""
    professional = _professional(request)
    invoices = (Invoice.objects.filter(professional=professional)
                .select_related("renewal__body").order_by("-issued_on", "-number"))
    return render(request, "renewals/invoices.html", {"invoices": invoices})


def _own_invoice(request: HttpRequest, number: str) -> Invoice:
    professional = _professional(request)
    invoice = (Invoice.objects.select_related("renewal__body", "professional")
               .filter(number=number, professional=professional).first())
    if invoice is None:
        raise Http404("No such invoice.")
    return invoice


@login_required
def invoice_detail(request: HttpRequest, number: str) -> HttpResponse:
    invoice = _own_invoice(request, number)
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
    invoice = _own_invoice(request, number)
    if invoice.status != Invoice.OPEN:
        messages.info(request, f"Invoice {invoice.number} is {invoice.get_status_display()}.")
        return redirect("renewals:invoice", number=invoice.number)
    # Voided if the certification is invalid today; re-priced if today is in grace.
    check = settle_invoice(invoice, timezone.localdate(), actor=request.user)
    if check.invalid:
        messages.error(request, invalid_message(invoice, check))
        return redirect("renewals:invoice", number=invoice.number)
    invoice.refresh_from_db()
    try:
        gateway = gateways.get("stripe")
        checkout = gateway.start_checkout(
            invoice,
            success_url=request.build_absolute_uri(
                reverse("renewals:invoice", args=[invoice.number])) + "?paid=1",
            cancel_url=request.build_absolute_uri(
                reverse("renewals:invoice", args=[invoice.number])),
        )
    except gateways.GatewayError as e:
        log.warning("Stripe checkout for invoice %s failed: %s", invoice.number, e)
        messages.error(request, "The payment service could not be reached; nothing was "
                                "charged. Please try again in a few minutes.")
        return redirect("renewals:invoice", number=invoice.number)
    Invoice.objects.filter(pk=invoice.pk).update(checkout_session_id=checkout.session_id,
                                                 gateway=gateway.name)
    return redirect(checkout.redirect_url)


@login_required
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    invoice = _own_invoice(request, number)
    if not invoice.is_paid:
        raise Http404("No receipt until the invoice is paid.")
    response = HttpResponse(receipt_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{invoice.number}.pdf"'
    return response


def _paid_at(event: dict) -> datetime | None:
    """When Stripe took the money (the event's creation time): a card paid on the last day
    of the cycle, confirmed after midnight, was paid on time."""
    try:
        return datetime.fromtimestamp(int(event["created"]), tz=UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        return None


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """checkout.session.completed → the invoice is paid. A replay finds the payment made
    the first time (the session id is the idempotency key) and changes nothing."""
    payload = request.body
    try:
        gateways.verify_signature(payload, request.headers.get("Stripe-Signature", ""),
                                  settings.STRIPE_WEBHOOK_SECRET)
    except gateways.SignatureError as e:
        log.warning("Stripe webhook refused: %s", e)
        return HttpResponseBadRequest("bad signature")
    try:
        event = json.loads(payload.decode())
        kind = event["type"]
        session = event["data"]["object"]
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest("malformed event")
    if kind != "checkout.session.completed" or session.get("payment_status") != "paid":
        return HttpResponse("ignored")
    number = session.get("client_reference_id") or (session.get("metadata") or {}).get("invoice")
    session_id = str(session.get("id") or "")
    amount = Decimal(int(session.get("amount_total") or 0)) / 100
    currency = str(session.get("currency") or "").lower()
    key = f"stripe:{session_id}"
    if Payment.objects.filter(idempotency_key=key).exists():
        return HttpResponse("ok")  # a replay of an event already applied
    invoice = Invoice.objects.filter(number=number).first()

    def issue(reason: str) -> HttpResponse:
        # Money was taken and cannot be applied: kept for staff to refund (admin), and
        # answered 200 so that Stripe does not retry forever.
        log.error("Stripe payment %s not applied to invoice %r: %s", session_id, number, reason)
        PaymentIssue.objects.get_or_create(
            gateway="stripe", reference=session_id or f"event:{event.get('id')}",
            defaults={"invoice": invoice, "reason": reason, "payload": {
                "event": event.get("id"), "session": session_id, "invoice": number,
                "amount_total": session.get("amount_total"), "currency": currency,
                "payment_intent": session.get("payment_intent"),
                "customer_email": (session.get("customer_details") or {}).get("email")
                or session.get("customer_email"),
            }})
        return HttpResponse("refused")

    if invoice is None:
        return issue("No such invoice.")
    if not session_id or session_id != invoice.checkout_session_id:
        return issue(f"Checkout session {session_id or '(none)'} is not the invoice's current "
                     f"one ({invoice.checkout_session_id or 'none'}): it was voided or "
                     "re-priced after this page was opened.")
    if currency != invoice.currency.lower():
        return issue(f"Paid in {currency.upper() or '(no currency)'}, the invoice is in "
                     f"{invoice.currency}.")
    if amount != invoice.total:
        return issue(f"Paid {amount}, the invoice is {invoice.total}.")
    try:
        payment, created = do_record_payment(
            invoice, gateway="stripe",
            reference=str(session.get("payment_intent") or session_id),
            amount=amount, idempotency_key=key, actor=None, received_at=_paid_at(event))
    except PaymentRefused as e:
        return issue(str(e))
    if not created and payment.idempotency_key != key:
        return issue(f"Invoice {invoice.number} was already paid ({payment.gateway}, "
                     f"{payment.reference or 'no reference'}): this is a second charge.")
    return HttpResponse("ok")
