"""The form of a new dated policy value (issue 12): it parses the input; the action
(do_set_policy_value) checks the value against the parameter's type and range."""

from __future__ import annotations

from django import forms

from recert.front.forms import DateInput

DATE_INVALID = "Enter a date as MM/DD/YYYY."


class PolicyValueForm(forms.Form):
    value = forms.CharField(label="New value", max_length=100)
    starts_on = forms.DateField(label="Effective date", widget=DateInput(),
                                error_messages={"invalid": DATE_INVALID})
    reason = forms.CharField(label="Reason", max_length=2000, widget=forms.Textarea(
        attrs={"rows": 3}))
    source = forms.CharField(label="Source", max_length=500, help_text=(
        "The document and section that set the value (a board decision, a fee schedule)."))

    def __init__(self, *args, boolean: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if boolean:
            self.fields["value"] = forms.ChoiceField(
                label="New value", choices=[("true", "yes"), ("false", "no")])
