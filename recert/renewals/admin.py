"""Staff pages for renewals: invoices (record an offline payment), certification lifecycles
(record a passed exam, reinstate with a reason), renewals, payments and reminders.

Every write goes through recert.renewals.actions.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html_join

from recert.core.models import Cycle, History
from recert.renewals.actions import (
    PaymentRefused,
    do_record_exam_pass,
    do_record_payment,
    do_reinstate_certification,
    do_resolve_payment_issues,
)
from recert.renewals.forms import DATE_INPUT_FORMATS, DATE_INVALID, OfflinePaymentForm
from recert.renewals.models import (
    CertificationLifecycle,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentIssue,
    Reminder,
    Renewal,
    RenewalItem,
)

# The keys of a stored gateway payload shown to staff: ids and amounts to find and refund the
# charge. Anything else a gateway sends (the payer's e-mail, name, address) stays hidden.
PAYLOAD_FIELDS = ("event", "session", "invoice", "payment_intent", "amount_total", "currency")


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _intermediate(modeladmin, request, queryset, *, form, title, action, button):
    return render(request, "admin/renewals/action_form.html", {
        **modeladmin.admin_site.each_context(request),
        "title": title, "form": form, "queryset": queryset, "action": action,
        "button": button, "opts": modeladmin.model._meta,
        "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
    })


class InvoiceLineInline(ReadOnlyMixin, admin.TabularInline):
    model = InvoiceLine
    fields = ("kind", "description", "amount")
    readonly_fields = fields
    extra = 0


class PaymentInline(ReadOnlyMixin, admin.StackedInline):
    model = Payment
    fields = ("gateway", "reference", "amount", "received_at", "idempotency_key", "recorded_by")
    readonly_fields = fields
    extra = 0


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("number", "professional", "issued_on", "total", "status", "gateway")
    list_filter = ("status", "gateway")
    search_fields = ("number", "professional__full_name", "professional__email")
    readonly_fields = ("number", "renewal", "professional", "issued_on", "currency", "total",
                       "status", "gateway", "checkout_session_id", "checkout_attempt",
                       "checkout_expires_at")
    list_select_related = ("professional",)
    inlines = [InvoiceLineInline, PaymentInline]
    actions = ["record_offline_payment"]

    def has_view_permission(self, request, obj=None):
        # The model's view permission; recording a payment needs the invoice in sight too.
        return (super().has_view_permission(request, obj)
                or self.has_record_payment_permission(request))

    def has_record_payment_permission(self, request):
        return request.user.has_perm("renewals.record_payment")

    @admin.action(description="Record offline payment (cheque or phone)",
                  permissions=["record_payment"])
    def record_offline_payment(self, request, queryset):
        open_invoices = list(queryset.filter(status=Invoice.OPEN))
        if len(open_invoices) != 1:
            self.message_user(request, "Select exactly one open invoice to record a payment.",
                              messages.ERROR)
            return None
        invoice = open_invoices[0]
        form = OfflinePaymentForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            reference = form.cleaned_data["reference"].strip()
            try:
                payment, created = do_record_payment(
                    invoice, gateway="offline", reference=reference, amount=invoice.total,
                    idempotency_key=f"offline:{invoice.number}", actor=request.user)
            except PaymentRefused as e:
                self.message_user(request, str(e), messages.ERROR)
                return None
            if created:
                self.message_user(request, f"Payment of ${payment.amount} recorded for "
                                           f"{invoice.number}; the renewal is complete.")
            else:
                self.message_user(request, f"{invoice.number} was already paid.",
                                  messages.WARNING)
            return None
        return _intermediate(self, request, queryset, form=form,
                             title=f"Record a payment for invoice {invoice.number} "
                                   f"(${invoice.total})",
                             action="record_offline_payment", button="Record payment")


class RenewalItemInline(ReadOnlyMixin, admin.TabularInline):
    model = RenewalItem
    fields = ("certification", "cycle", "active")
    readonly_fields = fields
    extra = 0


@admin.register(Renewal)
class RenewalAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "professional", "body", "cycle_end", "status", "requested_on")
    list_filter = ("status", "body")
    search_fields = ("professional__full_name",)
    list_select_related = ("professional", "body")
    readonly_fields = ("professional", "body", "cycle_end", "required", "cecs_through_body",
                       "cecs_other", "cpr_aed_valid_until", "confirmed_details",
                       "acknowledged_at", "requested_on", "status", "completed_at")
    inlines = [RenewalItemInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("invoice", "gateway", "reference", "amount", "received_at")
    list_filter = ("gateway",)
    search_fields = ("invoice__number", "reference")
    list_select_related = ("invoice",)


@admin.register(PaymentIssue)
class PaymentIssueAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Money taken by a gateway that could not be applied: staff refund it at the gateway,
    then mark the issue resolved."""

    list_display = ("created_at", "gateway", "reference", "invoice", "reason", "resolved")
    list_filter = ("resolved", "gateway")
    search_fields = ("reference", "invoice__number")
    list_select_related = ("invoice",)
    fields = readonly_fields = ("invoice", "gateway", "reference", "reason", "payment_details",
                                "created_at", "resolved")
    actions = ["mark_resolved"]

    @admin.display(description="payment details")
    def payment_details(self, obj):
        """What finance staff need to find and refund the charge; nothing else of the stored
        payload (no e-mail, name or address: the invoice names the professional)."""
        return format_html_join(
            "\n", "<div><b>{}</b>: {}</div>",
            ((key, obj.payload[key]) for key in PAYLOAD_FIELDS
             if isinstance(obj.payload, dict) and obj.payload.get(key) not in (None, "")))

    def has_resolve_permission(self, request):
        return request.user.has_perm("renewals.change_paymentissue")

    @admin.action(description="Mark resolved (refunded or settled)", permissions=["resolve"])
    def mark_resolved(self, request, queryset):
        count = do_resolve_payment_issues(queryset, actor=request.user)
        self.message_user(request, f"{count} payment issue(s) marked resolved.")


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("cycle", "kind", "due_on", "sent_at", "email")
    list_filter = ("kind",)
    list_select_related = ("cycle",)


class ExamForm(forms.Form):
    passed_on = forms.DateField(label="Exam passed on (MM/DD/YYYY)",
                                input_formats=DATE_INPUT_FORMATS,
                                error_messages={"invalid": DATE_INVALID})

    def clean_passed_on(self):
        passed_on = self.cleaned_data["passed_on"]
        today = timezone.localdate()
        if passed_on > today:
            raise forms.ValidationError(
                f"The exam pass date {passed_on:%m/%d/%Y} is in the future; enter the day "
                f"the exam was passed (today, {today:%m/%d/%Y}, or earlier).")
        return passed_on


class ReinstateForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
                             error_messages={"required": "A reason is required."})


@admin.register(CertificationLifecycle)
class CertificationLifecycleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "certified_on", "status")
    list_select_related = ("program__body", "professional")
    list_filter = ("status", "program__body")
    search_fields = ("professional__full_name", "professional__email")
    actions = ["record_exam_pass", "reinstate"]
    change_form_template = "admin/renewals/lifecycle.html"

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # The model's view permission, or one of the actions' (which act on this list).
        return (super().has_view_permission(request, obj)
                or self.has_record_exam_permission(request)
                or self.has_reinstate_permission(request))

    def has_change_permission(self, request, obj=None):
        return False

    def has_record_exam_permission(self, request):
        return request.user.has_perm("renewals.record_exam")

    def has_reinstate_permission(self, request):
        return request.user.has_perm("renewals.reinstate_certification")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("program__body", "professional")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        certification = self.get_object(request, object_id)
        if not self.has_view_permission(request, certification):
            raise PermissionDenied
        if certification is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        history = History.objects.of(certification).select_related("actor")
        items = RenewalItem.objects.filter(certification=certification).select_related(
            "renewal__invoice")
        invoices = [i.renewal.invoice for i in items if hasattr(i.renewal, "invoice")]
        return render(request, self.change_form_template, {
            **self.admin_site.each_context(request),
            "opts": self.model._meta, "title": f"Lifecycle: {certification}",
            "certification": certification,
            "cycles": Cycle.objects.filter(certification=certification).order_by("number"),
            "history": history,
            "invoices": invoices,
            "payments": Payment.objects.filter(invoice__in=invoices).select_related("invoice"),
            "reminders": Reminder.objects.filter(cycle__certification=certification)
            .select_related("cycle"),
        })

    @admin.action(description="Record passed exam (renews without CECs or fee)",
                  permissions=["record_exam"])
    def record_exam_pass(self, request, queryset):
        form = ExamForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            for certification in queryset:
                try:
                    cycle = do_record_exam_pass(certification, form.cleaned_data["passed_on"],
                                                actor=request.user)
                except ValidationError as e:
                    self.message_user(request, f"{certification}: {' '.join(e.messages)}",
                                      messages.ERROR)
                else:
                    self.message_user(request, f"{certification}: renewed by exam; new {cycle}.")
            return None
        return _intermediate(self, request, queryset, form=form, title="Record a passed exam",
                             action="record_exam_pass", button="Record passed exam")

    @admin.action(description="Reinstate (with a reason)", permissions=["reinstate"])
    def reinstate(self, request, queryset):
        form = ReinstateForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            for certification in queryset:
                try:
                    do_reinstate_certification(certification, form.cleaned_data["reason"],
                                               actor=request.user, as_of=timezone.localdate())
                except ValidationError as e:
                    self.message_user(request, f"{certification}: {' '.join(e.messages)}",
                                      messages.ERROR)
                else:
                    self.message_user(request, f"{certification}: reinstated.")
            return None
        return _intermediate(self, request, queryset, form=form, title="Reinstate",
                             action="reinstate", button="Reinstate")
