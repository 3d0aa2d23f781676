"""The renewal form (ACSM-RENEW-1) and the contact details form."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms

from recert.core.actions.professionals import PROFESSIONAL_FIELDS
from recert.core.models import Professional
from recert.rules import format_decimal

# What the fields accept, said the way the rest of the app says it (dates as MM/DD/YYYY).
# The date picker sends YYYY-MM-DD; typed dates may be MM/DD/YYYY.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%m/%d/%Y"]
DATE_INVALID = "Enter a real date as MM/DD/YYYY, like 06/30/2030, or pick it with the date picker."


def _cec_errors(required: str) -> dict:
    return {
        "required": required,
        "invalid": 'Enter the CECs as a number, like "45" or "12.5".',
        "min_value": 'The CECs cannot be negative: enter 0 or more, like "45" or "12.5".',
        "max_digits": "Enter at most 6 digits before the decimal point, like 45.",
        "max_whole_digits": "Enter at most 6 digits before the decimal point, like 45.",
        "max_decimal_places": 'Enter at most 3 decimal places, like "12.5" or "0.125".',
    }


class RenewalForm(forms.Form):
    cecs_through_body = forms.DecimalField(
        min_value=0, max_digits=9, decimal_places=3,
        error_messages=_cec_errors("Enter the CECs you earned through the certifying body "
                                   '(0 if none), like "45" or "12.5".'))
    cecs_other = forms.DecimalField(
        label="CECs from other organizations", min_value=0, max_digits=9, decimal_places=3,
        error_messages=_cec_errors("Enter the CECs you earned from other organizations "
                                   '(0 if none), like "45" or "12.5".'))
    cpr_aed_valid_until = forms.DateField(
        label="CPR/AED certification valid until", required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Type it as MM/DD/YYYY or pick it with the date picker.",
        error_messages={"invalid": DATE_INVALID})
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
                "it is valid until as MM/DD/YYYY, like 06/30/2030, or pick it with the date "
                "picker.")

    def clean_cpr_aed_valid_until(self):
        value = self.cleaned_data.get("cpr_aed_valid_until")
        if self.cpr_aed_required and value is not None and value < self.renewal_date:
            raise forms.ValidationError(
                f"Your CPR/AED certification expired on {value:%B %-d, %Y} "
                f"({value:%m/%d/%Y}); it must be current on the renewal date "
                f"({self.renewal_date:%m/%d/%Y}). Renew it first, then enter the new date.")
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
