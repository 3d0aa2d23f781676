"""Forms of the provider's pages and the body's education console."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError

from recert.core import words
from recert.core.models import CertifyingBody
from recert.providers.models import Event, validate_time_zone

COURSE_FORMATS = words.choices(words.FORMATS, words.COURSE_FORMATS)
CREDITS = {"max_digits": 6, "decimal_places": 2, "min_value": 0}


class CourseForm(forms.Form):
    title = forms.CharField(max_length=300)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False,
                                  help_text="What the course teaches; shown in the events "
                                            "search.")
    format = forms.ChoiceField(choices=COURSE_FORMATS)
    body = forms.ModelChoiceField(queryset=CertifyingBody.objects.all(), empty_label=None,
                                  label="Approval asked of",
                                  help_text="The body whose approval (and course number) "
                                            "the course carries.")
    credits = forms.DecimalField(label="Credits of that body", **CREDITS,
                                 help_text="In the body's own unit (ACE: 0.1 CEC per hour).")
    course_number = forms.CharField(max_length=40, required=False,
                                    help_text="If the body already issued one (ACE: CEP, "
                                              "CP, CA, CS or CL and 5 or 6 digits).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.bodies = list(CertifyingBody.objects.order_by("code"))
        for body in self.bodies:
            self.fields[f"credits_{body.code}"] = forms.DecimalField(
                label=f"{body.code} credits (if not the body above)", required=False,
                **CREDITS, help_text="Leave empty when the course gives none.")

    def other_credits(self) -> dict:
        data = self.cleaned_data
        return {body: data.get(f"credits_{body.code}") for body in self.bodies
                if body != data.get("body")}

    def course_fields(self) -> dict:
        return {k: self.cleaned_data[k] for k in
                ("title", "description", "format", "credits", "course_number")}


class EventForm(forms.Form):
    delivery = forms.ChoiceField(choices=Event.DELIVERIES)
    starts_at = forms.DateTimeField(label="Starts", widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Local time at the event (in its time zone).")
    ends_at = forms.DateTimeField(label="Ends", widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    time_zone = forms.CharField(max_length=60, initial="America/New_York",
                                validators=[validate_time_zone],
                                help_text="Like America/New_York or America/Los_Angeles.")
    venue = forms.CharField(max_length=200, required=False)
    address = forms.CharField(max_length=300, required=False)
    city = forms.CharField(max_length=100, required=False)
    postal_code = forms.CharField(max_length=20, required=False)
    capacity = forms.IntegerField(min_value=1, required=False)
    registration_url = forms.URLField(label="Registration link", required=False,
                                      assume_scheme="https")

    def clean(self):
        data = super().clean()
        zone = data.get("time_zone")
        if zone and not self.errors.get("time_zone"):
            for name in ("starts_at", "ends_at"):
                value: datetime | None = data.get(name)
                if value is not None:
                    data[name] = value.replace(tzinfo=None).replace(tzinfo=ZoneInfo(zone))
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] < data["starts_at"]:
            self.add_error("ends_at", "The event cannot end before it starts.")
        if data.get("delivery") == Event.IN_PERSON and not (data.get("city")
                                                            or data.get("postal_code")):
            self.add_error("city", "An in-person event needs its city or postal code.")
        return data


class ApproveCourseForm(forms.Form):
    course_number = forms.CharField(max_length=40, required=False,
                                    help_text="Issue a number or confirm the one given.")
    approved_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    approved_until = forms.DateField(required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))


class SendBackForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="What the provider must change; they see it.")


class ProviderForm(forms.Form):
    name = forms.CharField(max_length=200, label="Organization name")
    email = forms.EmailField(label="Contact e-mail", required=False)
    website = forms.URLField(required=False, assume_scheme="https")
    city = forms.CharField(max_length=100, required=False)
    postal_code = forms.CharField(max_length=20, required=False)


class ApprovalForm(forms.Form):
    body = forms.ModelChoiceField(queryset=CertifyingBody.objects.none(), empty_label=None)
    approved_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    approved_until = forms.DateField(required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    provider_number = forms.CharField(max_length=40, required=False,
                                      help_text="The number the body issued, if any "
                                                "(ACSM provider number).")

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies

    def clean(self):
        data = super().clean()
        if data.get("approved_until") and data.get("approved_from") and (
                data["approved_until"] < data["approved_from"]):
            self.add_error("approved_until", "The approval cannot end before it starts.")
        return data


class InviteForm(forms.Form):
    invite_email = forms.EmailField(label="Staff member's e-mail")
    invite_name = forms.CharField(label="Their name", max_length=200, required=False)


def errors_to_form(form: forms.Form, error: ValidationError) -> None:
    """Shows an action's ValidationError at the form's fields (else at the top)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class RosterUploadForm(forms.Form):
    file = forms.FileField(label="Completion roster (CSV or .xlsx)",
                           help_text="Columns: member ID and/or e-mail, name, completion date "
                                     "(YYYY-MM-DD or MM/DD/YYYY), CECs if they differ from the "
                                     "course's.")


class RowCorrectForm(forms.Form):
    member_id = forms.CharField(max_length=40, required=False, label="Member ID")
    email = forms.EmailField(required=False, label="E-mail")
    name = forms.CharField(max_length=200, required=False)
    completed_on = forms.DateField(label="Completion date",
                                   widget=forms.DateInput(attrs={"type": "date"}))
    credits = forms.DecimalField(max_digits=6, decimal_places=2, required=False,
                                 label="CECs (if not the course's)")
    reason = forms.CharField(max_length=300, label="What was wrong")


class WithdrawForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Why it is withdrawn")


class PetitionForm(forms.Form):
    description = forms.CharField(label="Course description or agenda",
                                  widget=forms.Textarea(attrs={"rows": 6}))
    hours = forms.DecimalField(label="Hours of structured learning", max_digits=6,
                               decimal_places=2, min_value=Decimal("0.25"))
    certificate = forms.FileField(label="Certificate of completion (PDF, JPEG or PNG)",
                                  required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           help_text="Anything the reviewer should know.")


class AnswerForm(forms.Form):
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    certificate = forms.FileField(label="A document to add (optional)", required=False)


class ApprovePetitionForm(forms.Form):
    credits = forms.DecimalField(label="CECs granted", max_digits=6, decimal_places=2,
                                 min_value=Decimal("0.01"),
                                 help_text="In the body's CECs; may differ from the hours "
                                           "asked.")
    approve_reason = forms.CharField(label="Note for the professional", max_length=500,
                                     initial="Petition approved.")


class DenyPetitionForm(forms.Form):
    deny_reason = forms.CharField(label="Reason", max_length=500,
                                  widget=forms.Textarea(attrs={"rows": 3}))


class AskForm(forms.Form):
    question = forms.CharField(label="What is missing", widget=forms.Textarea(attrs={"rows": 3}))


class PromoteForm(forms.Form):
    course_number = forms.CharField(max_length=40, label="Course number to issue")


class EventSearchForm(forms.Form):
    ANY, ONLINE, IN_PERSON = "", "online", "in_person"
    q = forms.CharField(label="Keyword", max_length=200, required=False)
    body = forms.ChoiceField(label="Certifying body", required=False)
    format = forms.ChoiceField(choices=[("", "Any format"), *COURSE_FORMATS], required=False)
    where = forms.ChoiceField(label="Where", required=False, choices=[
        (ANY, "Anywhere"), (ONLINE, "Online (self-paced or live)"),
        (IN_PERSON, "In person")])
    near = forms.CharField(label="Near (postal code or city)", max_length=100, required=False,
                           help_text="Events whose postal code starts with the same three "
                                     "characters, or in that city.")
    date_from = forms.DateField(label="From", required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [("", "Any body")] + [
            (b.code, b.code) for b in CertifyingBody.objects.order_by("code")]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The end of the range is before its start.")
        return data
