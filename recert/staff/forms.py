"""Forms of the staff console: they parse and check input (which field, what was wrong,
what is accepted); the actions decide."""

from __future__ import annotations

from django import forms

from recert.core import words
from recert.core.models import CreditEntry, Program
from recert.front.forms import DateInput
from recert.rules import model as rules_model

DATE_INVALID = "Enter a date as MM/DD/YYYY."


class SearchForm(forms.Form):
    q = forms.CharField(label="Name, e-mail or member ID", required=False, max_length=200)
    status = forms.ChoiceField(label="Certification status", required=False,
                               choices=[("", "Any status")] + [
                                   *words.choices(words.STATUSES, rules_model.STATUSES)])
    program = forms.ModelChoiceField(label="Program", required=False,
                                     queryset=Program.objects.none(), empty_label="Any program")
    cycle_end_from = forms.DateField(label="Cycle ends from", required=False, widget=DateInput(),
                                     error_messages={"invalid": DATE_INVALID})
    cycle_end_to = forms.DateField(label="Cycle ends by", required=False, widget=DateInput(),
                                   error_messages={"invalid": DATE_INVALID})

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.filter(
            body__in=bodies).select_related("body")
        self.fields["program"].error_messages["invalid_choice"] = (
            "Choose a program of your bodies from the list.")

    def clean(self):
        data = super().clean()
        start, end = data.get("cycle_end_from"), data.get("cycle_end_to")
        if start and end and start > end:
            self.add_error("cycle_end_to", "This date is before “Cycle ends from”. Enter a "
                                           "date on or after it.")
        return data


class ReinstateForm(forms.Form):
    reason = forms.CharField(
        label="Reason for reinstating", max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter the reason for reinstating; it is kept in the "
                                    "certification's history."})


class ExamPassForm(forms.Form):
    passed_on = forms.DateField(label="Exam passed on", widget=DateInput(),
                                error_messages={"invalid": DATE_INVALID,
                                                "required": "Enter the day the exam was "
                                                            "passed."})

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_passed_on(self):
        passed_on = self.cleaned_data["passed_on"]
        if passed_on > self.today:
            raise forms.ValidationError(
                f"The exam pass date {passed_on:%m/%d/%Y} is in the future; enter the day "
                f"the exam was passed (today, {self.today:%m/%d/%Y}, or earlier).")
        return passed_on


class OfflinePaymentForm(forms.Form):
    reference = forms.CharField(
        label="Cheque number or phone reference", max_length=255,
        error_messages={"required": "Enter the cheque number or the reference of the phone "
                                    "payment."})


REASON_HELP = "The professional sees this reason on the entry; the history keeps it."


def _reason_field(label: str = "Reason for the correction") -> forms.CharField:
    return forms.CharField(label=label, max_length=500, help_text=REASON_HELP,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"required": "Enter the reason; the professional "
                                                      "sees it on the entry."})


class CreditCorrectionForm(forms.ModelForm):
    """A credit entry as staff enter or correct it (the facts and the title), with the
    reason the professional sees on the entry."""

    reason = _reason_field()

    class Meta:
        model = CreditEntry
        fields = ["earned_on", "title", "format", "amount", "unit", "awarded_by", "provider",
                  "course_number", "credit_type", "grade", "published_on"]
        widgets = {"earned_on": DateInput(), "published_on": DateInput()}
        error_messages = {"earned_on": {"invalid": DATE_INVALID},
                          "published_on": {"invalid": DATE_INVALID}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["reason"] = ""

    def entry_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def changed_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields
                if name in self.changed_data}


class RemoveCreditForm(forms.Form):
    reason = _reason_field("Reason for removing it")


class CertificationDatesForm(forms.Form):
    certified_on = forms.DateField(label="Certified on", widget=DateInput(),
                                   error_messages={"invalid": DATE_INVALID,
                                                   "required": "Enter the date certified."})
    cycle_start = forms.DateField(label="Current cycle starts", widget=DateInput(),
                                  required=False, error_messages={"invalid": DATE_INVALID})
    cycle_end = forms.DateField(label="Current cycle ends", widget=DateInput(),
                                required=False, error_messages={"invalid": DATE_INVALID})
    reason = forms.CharField(label="Reason for the correction", max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="The professional sees this reason on the "
                                       "certification; the history keeps it.",
                             error_messages={"required": "Enter the reason; the professional "
                                                        "sees it on the certification."})

    def clean(self):
        data = super().clean()
        start, end = data.get("cycle_start"), data.get("cycle_end")
        if start and end and end < start:
            self.add_error("cycle_end", f"The cycle cannot end ({end:%m/%d/%Y}) before it "
                                        f"starts ({start:%m/%d/%Y}).")
        return data


class NamesForm(forms.Form):
    given_names = forms.CharField(label="Given names", max_length=100, required=False)
    family_name = forms.CharField(label="Family name", max_length=100,
                                  error_messages={"required": "Enter the family name."})
    date_of_birth = forms.DateField(label="Date of birth (optional)", required=False,
                                    widget=DateInput(),
                                    error_messages={"invalid": DATE_INVALID})
    name_changed_on = forms.DateField(
        label="The name changed on (leave empty to correct a mistake)", required=False,
        widget=DateInput(), error_messages={"invalid": DATE_INVALID},
        help_text="With a date, the old name is kept as a previous name in use until the "
                  "day before, so proof from then still matches.")
    reason = forms.CharField(label="Reason", max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "Enter the reason for the change; "
                                                        "it is kept in the history."})

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_date_of_birth(self):
        born = self.cleaned_data.get("date_of_birth")
        if born and not (self.today.replace(year=self.today.year - 120) <= born < self.today):
            raise forms.ValidationError(
                f"The date of birth {born:%m/%d/%Y} is not possible; enter a date in the "
                "past, less than 120 years ago.")
        return born

    def clean_name_changed_on(self):
        day = self.cleaned_data.get("name_changed_on")
        if day and day > self.today:
            raise forms.ValidationError(
                f"The name change date {day:%m/%d/%Y} is in the future; enter the day it "
                f"changed (today, {self.today:%m/%d/%Y}, or earlier).")
        return day
