from __future__ import annotations

from django.urls import path

from recert.renewals import views

app_name = "renewals"

urlpatterns = [
    path("certifications/<int:certification_id>/renew/", views.start, name="start"),
    path("contact-details/", views.contact, name="contact"),
    path("invoices/", views.invoices, name="invoices"),
    path("invoices/<str:number>/", views.invoice, name="invoice"),
    path("invoices/<str:number>/pay/", views.pay_online, name="pay_online"),
    path("invoices/<str:number>/receipt.pdf", views.receipt, name="receipt"),
    path("payments/stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
]
