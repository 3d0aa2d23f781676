"""The PDF receipt of a paid invoice, rendered by WeasyPrint from an HTML template."""

from __future__ import annotations

from django.template.loader import render_to_string

from recert.renewals.models import Invoice


def receipt_html(invoice: Invoice) -> str:
    return render_to_string("renewals/receipt.html", {
        "invoice": invoice,
        "lines": invoice.lines.all(),
        "payment": invoice.payment,
        "details": invoice.renewal.confirmed_details,
        "items": invoice.renewal.items.filter(active=True)
        .select_related("certification__program__body"),
    })


def receipt_pdf(invoice: Invoice) -> bytes:
    from weasyprint import HTML  # imported late: heavy, and only needed here

    return HTML(string=receipt_html(invoice)).write_pdf()
