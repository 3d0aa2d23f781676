"""Renewal quote (what a renewal would cover and cost today) and invoices."""


from django.utils import timezone
from ninja import Router

from recert.api.problems import ApiProblem
from recert.api.routes.common import Id, responses
from recert.api.schemas import InvoiceOut, QuoteOut
from recert.renewals.models import Invoice
from recert.renewals.quotes import quote_renewal
from recert.rules.case import format_decimal, format_money

router = Router(tags=["renewals"])


@router.get("/certifications/{certification_id}/renewal-quote",
            response=responses({200: QuoteOut}),
            summary="What renewing this certification today would cover and cost")
def renewal_quote(request, certification_id: Id):
    today = timezone.localdate()
    quote = quote_renewal(request.auth.professional(), certification_id, today)
    if quote is None:
        raise ApiProblem(404, "No such certification, or not yours.")
    return {
        "certification_id": certification_id, "as_of": today, "can_renew": quote.can_renew,
        "refusals": list(quote.refusals), "body": quote.body_code,
        "certifications": [c.pk for c, _ in quote.members],
        "required": format_decimal(quote.required), "fee": format_money(quote.fee),
        "late_fee": format_money(quote.late_fee), "total": format_money(quote.total),
        "lines": [{"description": ln.description, "amount": format_money(ln.amount),
                   "kind": str(ln.kind)} for ln in quote.lines],
        "cpr_aed_required": quote.cpr_aed_required,
        "cycle_end": quote.result.cycle.end if quote.result is not None else None,
    }


def invoice_out(invoice: Invoice) -> dict:
    payment = getattr(invoice, "payment", None)
    return {
        "number": invoice.number, "issued_on": invoice.issued_on, "currency": invoice.currency,
        "total": format_money(invoice.total), "status": invoice.status,
        "paid_at": payment.received_at if payment else None,
        "lines": [{"description": ln.description, "amount": format_money(ln.amount),
                   "kind": ln.kind} for ln in invoice.lines.all()],
    }


def _invoices(request):
    return (Invoice.objects.filter(professional=request.auth.professional())
            .select_related("payment").prefetch_related("lines")
            .order_by("-issued_on", "-number"))


@router.get("/invoices", response=responses({200: list[InvoiceOut]}),
            summary="Your invoices, newest first")
def invoice_list(request):
    return [invoice_out(i) for i in _invoices(request)]


@router.get("/invoices/{number}", response=responses({200: InvoiceOut}),
            summary="One invoice")
def invoice_detail(request, number: str):
    invoice = _invoices(request).filter(number=number[:20]).first()
    if invoice is None:
        raise ApiProblem(404, "No such invoice, or not yours.")
    return invoice_out(invoice)
