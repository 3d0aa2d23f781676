"""The renewal form (ACSM-RENEW-1) and the contact details form."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms

from recert.core.actions.professionals import PROFESSIONAL_FIELDS
from recert.core.models import Professional
from recert.rules import format_decimal


class RenewalForm(forms.Form):
    cecs_through_body = forms.DecimalField(
        min_value=0, max_digits=9, decimal_places=3,
        error_messages={"required": "Enter the CECs you earned through the certifying body "
                                    "(0 if none).",
                        "min_value": "The CECs cannot be negative."})
    cecs_other = forms.DecimalField(
        label="CECs from other organizations", min_value=0, max_digits=9, decimal_places=3,
        error_messages={"required": "Enter the CECs you earned from other organizations "
                                    "(0 if none).",
                        "min_value": "The CECs cannot be negative."})
    cpr_aed_valid_until = forms.DateField(
        label="CPR/AED certification valid until", required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the date as YYYY-MM-DD."})
    acknowledge = forms.BooleanField(
        label="I confirm that the information above is true and that I will keep the "
              "documentation of every CEC for an audit.",
        error_messages={"required": "Tick the acknowledgement box to renew."})

    def __init__(self, *args, body_code: str, required: Decimal, renewal_date: date,
                 cpr_aed_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.required = required
        self.renewal_date = renewal_date
        self.cpr_aed_required = cpr_aed_required
        self.fields["cecs_through_body"].label = f"CECs earned through {body_code}"
        self.fields["cpr_aed_valid_until"].required = cpr_aed_required
        if cpr_aed_required:
            self.fields["cpr_aed_valid_until"].error_messages["required"] = (
                f"{body_code} requires a current CPR and AED certification: enter the date "
                "it is valid until.")

    def clean_cpr_aed_valid_until(self):
        value = self.cleaned_data.get("cpr_aed_valid_until")
        if self.cpr_aed_required and value is not None and value < self.renewal_date:
            raise forms.ValidationError(
                f"Your CPR/AED certification expired on {value:%B %-d, %Y}; it must be current "
                f"on the renewal date ({self.renewal_date:%B %-d, %Y}). Renew it first, then "
                "enter the new date.")
        return value

    def clean(self):
        data = super().clean()
        through, other = data.get("cecs_through_body"), data.get("cecs_other")
        if through is not None and other is not None and through + other < self.required:
            message = (f"Your CECs add up to {format_decimal(through + other)}; renewing needs "
                       f"at least {format_decimal(self.required)}.")
            self.add_error("cecs_through_body", message)
            self.add_error("cecs_other", message)
        return data


class ContactDetailsForm(forms.ModelForm):
    class Meta:
        model = Professional
        fields = PROFESSIONAL_FIELDS


class OfflinePaymentForm(forms.Form):
    reference = forms.CharField(max_length=255, label="Cheque number or phone reference",
                                error_messages={"required": "Enter the cheque number or the "
                                                            "reference of the phone payment."})
