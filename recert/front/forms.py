"""Forms of the professional's pages: report a credit, add a certification, CPR/AED date.

They parse and check input (which field, what was wrong, what is accepted); what an entry is
worth is left to the engine.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from recert.core import words
from recert.core.documents import ACCEPTED, validate_document
from recert.core.models import CertifyingBody, CreditEntry, Program
from recert.core.models.credits import AWARDING_ORGANIZATIONS
from recert.core.policies import documents_required_by, format_values, organizations
from recert.core.words import mdy
from recert.rules import model as rules_model
from recert.rules.model import GRADES

OTHER = "__other__"
FORMAT_LABELS = words.FORMATS
UNIT_LABELS = words.UNITS
DATE_HELP = "As on your certificate. Type it or pick it (MM/DD/YYYY)."
NEGATIVE_AMOUNT = "The number of credits cannot be negative. Enter 0 or more, like 1.5."
# CreditEntry.amount: max_digits=9, decimal_places=3.
AMOUNT_DECIMALS = 3
AMOUNT_WHOLE_DIGITS = 6


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={
            "accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def describe(form: forms.Form) -> forms.Form:
    """Links every input to its help text and error message (aria-describedby)."""
    for name, field in form.fields.items():
        bound = form[name]
        ids = []
        if field.help_text:
            ids.append(f"{bound.auto_id}_helptext")
        if form.is_bound and form.errors.get(name):
            ids.append(f"{bound.auto_id}_error")
            field.widget.attrs["aria-invalid"] = "true"
        if ids:
            field.widget.attrs["aria-describedby"] = " ".join(ids)
    return form


class CreditForm(forms.Form):
    """ACSM-FORM-1 plus unit and awarding organization."""

    earned_on = forms.DateField(
        label="Date earned", widget=DateInput(), help_text=DATE_HELP,
        error_messages={"required": "Enter the date you earned the credits.",
                        "invalid": "Enter a real date as MM/DD/YYYY, like 03/14/2026."})
    format = forms.ChoiceField(
        label="Format", choices=[("", "Choose a format")] + [
            (f, FORMAT_LABELS.get(f, f)) for f in rules_model.FORMATS],
        error_messages={"required": "Choose the format of the activity (or Other)."})
    amount = forms.DecimalField(
        label="Number of credits", max_digits=AMOUNT_WHOLE_DIGITS + AMOUNT_DECIMALS,
        decimal_places=AMOUNT_DECIMALS,
        help_text="As printed on the certificate, in the unit below: e.g. 1.5 CEUs, "
                  "8 contact hours, 3 semester hours (never multiplied).",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "required": "Enter the number of credits, like 1.5.",
            "invalid": "Enter the number of credits as a number, like 1.5 or 10.",
            "max_digits": "Enter at most 6 digits before the decimal point.",
            "max_decimal_places": "Enter at most 3 decimal places, like 0.125.",
            "max_whole_digits": "Enter at most 6 digits before the decimal point.",
        })
    unit = forms.ChoiceField(
        label="Unit", choices=[(u, UNIT_LABELS.get(u, u)) for u in rules_model.UNITS],
        initial="cec",
        error_messages={
            "required": "Choose the unit printed on the certificate (contact hours, CECs, "
                        "CEUs, CME credits, semester or quarter hours, or items).",
            "invalid_choice": "Choose one of the listed units, as printed on the certificate."})
    credit_type = forms.ChoiceField(
        label="Credit type", choices=CreditEntry.CREDIT_TYPES, initial="cec",
        error_messages={
            "required": "Choose the credit type (CEC, CME, credit hour, or none).",
            "invalid_choice": "Choose one of the listed credit types (CEC, CME, credit hour, "
                              "or none)."})
    course_number = forms.CharField(
        label="Provider course number", required=False, max_length=40,
        help_text="Optional. A known approved course number fills in the course.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}))
    # The organization picked here is the awarding organization (it decides the conversion);
    # the provider's name defaults to it. The list is policy data (organizations.yaml).
    provider = forms.ChoiceField(
        label="Provider / organization",
        help_text="The organization on the certificate; it decides how the credits convert.",
        error_messages={
            "required": "Choose the provider/organization on the certificate, or Other and "
                        "type its name.",
            "invalid_choice": "Choose one of the listed organizations, or Other and type its "
                              "name below."})
    provider_other = forms.CharField(
        label="Provider's name", required=False, max_length=200,
        help_text="Who ran it. Required for Other; otherwise leave it empty when the "
                  "organization above ran it.")
    title = forms.CharField(label="Course name", max_length=300,
                            help_text="As on the certificate or transcript.",
                            error_messages={"required": "Enter the course name."})
    grade = forms.ChoiceField(
        label="Grade (college courses)", required=False,
        choices=[("", "No grade")] + [(g, g) for g in GRADES])
    published_on = forms.DateField(
        label="Publication date (self-tests)", required=False, widget=DateInput(),
        help_text="The date of the journal issue the self-test was in.",
        error_messages={"invalid": "Enter a real date as MM/DD/YYYY, like 03/14/2026."})
    documents = MultipleFileField(
        label="Documents", required=False,
        help_text=f"Certificate or transcript: {ACCEPTED}, up to the size limit.")

    def __init__(self, *args, cycles=(), bodies=(), documents_on_file: int = 0,
                 course_numbers: dict | None = None, **kwargs):
        """`cycles`: (label, start, end) of the user's current cycles (the engine's);
        `bodies`: their bodies' codes; `course_numbers`: {body code: its course-number rule}
        of the bodies that approve courses by number (recert.core.policies)."""
        super().__init__(*args, **kwargs)
        known = organizations()
        self.fields["provider"].choices = organization_choices(known)
        self.listed_providers = dict(known.listed)
        self.cycles = list(cycles)
        self.bodies = list(bodies)
        self.documents_on_file = documents_on_file
        self.course_numbers = dict(course_numbers or {})
        described = [f"{code}-approved courses: {n.format} (e.g. {n.example})"
                     for code, n in self.course_numbers.items() if n.format]
        if described:
            self.fields["course_number"].help_text = (
                f"Optional. {'; '.join(described)}; a known number fills in the course.")
        from django.urls import reverse

        # Typing a known ACE number fills in the course (htmx; "Look up" works without it).
        self.fields["course_number"].widget.attrs.update({
            "hx-post": reverse("course_lookup"), "hx-include": "closest form",
            "hx-target": "#course-lookup", "hx-trigger": "input changed delay:400ms",
        })

    def format_values(self, fmt: str, key: str, on: date | None) -> dict:
        """`key` of each of the user's bodies' `formats.<fmt>` policy on that date (today
        without one): {value: "ACSM, ACE"}; bodies whose policy has no such value are left out."""
        found = format_values(self.bodies, fmt, key, on or timezone.localdate())
        return {value: ", ".join(codes) for value, codes in found.items()}

    def documents_required_by(self, fmt: str, on: date) -> list[str]:
        """Rule ids of the bodies whose policy wants a document for this format then."""
        return documents_required_by(self.bodies, fmt, on)

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount < 0:
            raise ValidationError(NEGATIVE_AMOUNT)
        return amount

    def clean_earned_on(self):
        day = self.cleaned_data["earned_on"]
        if day > timezone.localdate():
            raise ValidationError(f"{mdy(day)} is in the future. Enter the date you earned "
                                  "the credits (today or earlier).")
        # A date outside every active cycle (before certification, after a lapse, between
        # certifications) is stored too: the full history is kept, and the engine says
        # why it does not count (issue 10).
        return day

    def outside_every_cycle(self) -> str | None:
        """After a valid post: why the entry counts toward no active cycle, or None."""
        day = self.cleaned_data["earned_on"]
        if any(start <= day <= end for _, start, end in self.cycles):
            return None
        if not self.cycles:
            return (f"{mdy(day)} is kept in your log; it counts once you add the "
                    "certification it belongs to.")
        listed = "; ".join(f"{label} {mdy(start)}–{mdy(end)}"
                           for label, start, end in self.cycles)
        return (f"{mdy(day)} is outside every active cycle of your certifications ({listed}): "
                "the entry is kept in your log under All credits, and does not count toward "
                "a renewal.")

    def clean_course_number(self):
        return self.cleaned_data["course_number"].strip().upper()

    def clean_documents(self):
        files = self.cleaned_data.get("documents") or []
        for uploaded in files:
            try:
                validate_document(uploaded, field="documents")
            except ValidationError as error:
                messages = error.message_dict.get("documents", error.messages)
                raise ValidationError(f"{uploaded.name}: {' '.join(messages)}") from None
        return files

    def clean(self):
        data = super().clean()
        if data.get("provider") == OTHER and not (data.get("provider_other") or "").strip():
            self.add_error("provider_other", "Type the provider's name: it is required when "
                                             "the provider is Other.")
        if data.get("provider"):
            data["awarded_by"] = awarding_code(data["provider"], self.listed_providers)
        number = data.get("course_number")
        # A body that approves courses by number: its credits carry one of its numbers.
        numbers = self.course_numbers.get(data.get("awarded_by"))
        if number and numbers:
            if not re.fullmatch(numbers.pattern, number):
                self.add_error("course_number", (
                    f"“{number}” is not an {data['awarded_by']} course number. Accepted: "
                    f"{numbers.format}, like {numbers.example}."))
        fmt, day = data.get("format"), data.get("earned_on")
        if fmt == "college_course" and not data.get("grade"):
            message = f"Choose the grade on your transcript ({GRADES[0]} to {GRADES[-1]})"
            grades = self.format_values("college_course", "min_grade", day)
            if grades:
                message += ": college courses count with a grade of " + "; ".join(
                    f"{grade} or better ({codes})" if len(grades) > 1 else f"{grade} or better"
                    for grade, codes in grades.items())
            self.add_error("grade", message + ".")
        if fmt == "self_test" and not data.get("published_on"):
            message = "Enter the issue's publication date"
            months = self.format_values("self_test", "expires_after_months", day)
            if months:
                message += ": a self-test expires " + "; ".join(
                    f"{n} months after it" + (f" ({codes})" if len(months) > 1 else "")
                    for n, codes in months.items())
            self.add_error("published_on", message + ".")
        if fmt and day and not data.get("documents") and not self.documents_on_file:
            rules = self.documents_required_by(fmt, day)
            if rules:
                self.add_error("documents", (
                    f"Upload a document for a {FORMAT_LABELS.get(fmt, fmt).lower()} entry "
                    f"({', '.join(sorted(set(rules)))}): a certificate or transcript as "
                    f"{ACCEPTED}."))
        return data

    def entry_fields(self) -> dict:
        """The cleaned values as CreditEntry fields."""
        d = self.cleaned_data
        provider = provider_name(d["provider"], d["provider_other"])
        return {
            "earned_on": d["earned_on"], "format": d["format"], "amount": d["amount"],
            "unit": d["unit"], "credit_type": d["credit_type"], "awarded_by": d["awarded_by"],
            "course_number": d["course_number"], "provider": provider, "title": d["title"].strip(),
            "grade": d.get("grade") or "", "published_on": d.get("published_on"),
        }

    @staticmethod
    def initial_from(entry: CreditEntry) -> dict:
        choice, name = organization_of(entry.awarded_by, entry.provider)
        return {
            "earned_on": entry.earned_on, "format": entry.format,
            "amount": format(entry.amount.normalize(), "f"), "unit": entry.unit,
            "credit_type": entry.credit_type, "course_number": entry.course_number,
            "provider": choice, "provider_other": name, "title": entry.title,
            "grade": entry.grade, "published_on": entry.published_on,
        }


def organization_choices(known) -> list[tuple[str, str]]:
    """The form's Provider/Organization list: the awarding organizations of the policies,
    the listed providers (organizations.yaml), then Other."""
    named = [(code, f"{code} — {name}") for code, name in known.named]
    listed = [(name, name) for name in known.listed]
    return [("", "Choose a provider/organization"), *named, *listed,
            (OTHER, "Other (type its name below)")]


def awarding_code(choice: str, listed: dict[str, str]) -> str:
    """The awarding organization of a picked list entry."""
    if choice == OTHER:
        return "OTHER"
    return listed.get(choice, choice)


def provider_name(choice: str, typed: str) -> str:
    """Who ran it: what was typed, else the picked organization."""
    typed = (typed or "").strip()
    return typed or ("" if choice == OTHER else choice)


def organization_of(awarded_by: str, provider: str) -> tuple[str, str]:
    """(list entry, provider's name field) that show an entry's facts in the form."""
    provider = provider or ""
    if awarded_by != "OTHER":
        return awarded_by, "" if provider == awarded_by else provider
    if provider in organizations().listed:
        return provider, ""
    return (OTHER if provider else ""), provider


class ConfirmedEntryForm(forms.Form):
    """What the professional may still change on a confirmed entry: the course name, and
    documents to add."""

    title = CreditForm.base_fields["title"]
    documents = CreditForm.base_fields["documents"]

    def clean_documents(self):
        return CreditForm.clean_documents(self)


def posted_fact_changes(data, entry: CreditEntry) -> list[str]:
    """The confirmed facts of `entry` that a posted form would change (a crafted post or a
    stale page): each such field present in `data` is parsed like the report form does and
    compared with the entry."""
    changed = []
    for name in CreditEntry.FACT_FIELDS:
        if name not in data:
            continue
        raw = data.get(name)
        current = getattr(entry, name)
        if name == "provider":
            if awarding_code(raw or "", organizations().listed) != entry.awarded_by:
                changed.append("awarded_by")
            value = provider_name(raw or "", data.get("provider_other") or "")
        elif name in ("earned_on", "published_on", "amount"):
            try:
                value = CreditForm.base_fields[name].clean(raw)
            except ValidationError:
                changed.append(name)
                continue
        elif name == "course_number":
            value = (raw or "").strip().upper()
        else:
            value = raw
        if value in (None, "") and current in (None, ""):
            continue
        if value != current:
            changed.append(name)
    return changed


def amount_problem(amount: Decimal) -> str | None:
    """What is wrong with a number of credits, in the form's words; None when it is
    acceptable (finite, not negative, at most 6 whole digits and 3 decimals: the column)."""
    messages = CreditForm.base_fields["amount"].error_messages
    if not amount.is_finite():
        return messages["invalid"]
    if amount < 0:
        return NEGATIVE_AMOUNT
    sign, digits, exponent = amount.as_tuple()
    decimals = max(0, -exponent)
    whole = max(0, len(digits) + exponent) if digits != (0,) else 0
    if decimals > AMOUNT_DECIMALS:
        return messages["max_decimal_places"]
    if whole > AMOUNT_WHOLE_DIGITS:
        return messages["max_whole_digits"]
    return None


def draft_problem(data) -> str | None:
    """Why the typed number of credits cannot be previewed (None when it can, or is absent)."""
    raw = (data.get("amount") or "").strip()
    if not raw:
        return None
    try:
        amount = Decimal(raw)
    except ArithmeticError:
        return CreditForm.base_fields["amount"].error_messages["invalid"]
    return amount_problem(amount)


def draft_values(data) -> dict | None:
    """What the engine needs from a half-typed form, or None while it is not enough."""
    try:
        earned_on = date.fromisoformat((data.get("earned_on") or "").strip())
        amount = Decimal((data.get("amount") or "").strip())
    except (ValueError, ArithmeticError):
        return None
    if amount_problem(amount):
        return None
    fmt, unit = data.get("format"), data.get("unit")
    if fmt not in rules_model.FORMATS or unit not in rules_model.UNITS:
        return None
    choice = data.get("provider") or ""
    listed = organizations().listed
    awarded_by = awarding_code(choice, listed) if choice else "OTHER"
    if awarded_by not in AWARDING_ORGANIZATIONS:
        return None
    provider = provider_name(choice, data.get("provider_other") or "")
    grade = data.get("grade") or None
    try:
        published_on = date.fromisoformat(data["published_on"]) if data.get(
            "published_on") else None
    except ValueError:
        published_on = None
    return {
        "earned_on": earned_on, "format": fmt, "amount": amount, "unit": unit,
        "awarded_by": awarded_by, "title": (data.get("title") or "").strip(),
        "provider": (provider or "").strip() or None,
        "course_number": (data.get("course_number") or "").strip().upper() or None,
        "grade": grade if grade in GRADES else None, "published_on": published_on,
    }


class CertificationForm(forms.Form):
    body = forms.ModelChoiceField(
        label="Certifying body", queryset=CertifyingBody.objects.all(), empty_label="Choose",
        to_field_name="code",
        error_messages={"required": "Choose the certifying body (ACSM or ACE).",
                        "invalid_choice": "Choose one of the listed certifying bodies."})
    program = forms.ModelChoiceField(
        label="Program", queryset=Program.objects.select_related("body"), empty_label="Choose",
        error_messages={"required": "Choose the program you are certified in.",
                        "invalid_choice": "Choose one of the listed programs."})
    certified_on = forms.DateField(
        label="Certified on", widget=DateInput(),
        help_text="The date on your certificate.",
        error_messages={"required": "Enter the date you were certified.",
                        "invalid": "Enter a real date as MM/DD/YYYY, like 03/14/2025."})
    member_id = forms.CharField(label="Member id", required=False, max_length=40,
                                help_text="Optional: your id at this body.")
    cpr_aed_valid_until = forms.DateField(
        label="CPR/AED valid until", required=False, widget=DateInput(),
        help_text="Optional: the expiry date on your CPR/AED card.",
        error_messages={"invalid": "Enter a real date as MM/DD/YYYY, like 03/14/2027."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].label_from_instance = (
            lambda p: f"{p.body.code} — {p.name} ({p.code})")

    def clean_certified_on(self):
        day = self.cleaned_data["certified_on"]
        if day > timezone.localdate():
            raise ValidationError(f"{mdy(day)} is in the future. Enter the date on your "
                                  "certificate (today or earlier).")
        return day

    def clean(self):
        data = super().clean()
        body, program = data.get("body"), data.get("program")
        if body and program and program.body_id != body.pk:
            self.add_error("program", f"{program.name} is not a {body.code} program. Choose "
                                      f"one of the {body.code} programs.")
        return data


class CprAedForm(forms.Form):
    """The person's CPR/AED record: one for all their certifications."""

    provider = forms.CharField(label="Provider", required=False, max_length=200,
                               help_text="Who issued the card, like American Red Cross.")
    valid_until = forms.DateField(
        label="Valid until", required=False, widget=DateInput(),
        help_text="The expiry date on your CPR/AED card; empty if you have none.",
        error_messages={"invalid": "Enter a real date as MM/DD/YYYY, like 03/14/2027."})
    card = forms.FileField(
        label="Card", required=False,
        widget=forms.ClearableFileInput(attrs={
            "accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
        help_text=f"A photo or scan of the card: {ACCEPTED}.")

    def clean_card(self):
        card = self.cleaned_data.get("card")
        if card:
            try:
                validate_document(card, field="card")
            except ValidationError as error:
                messages = error.message_dict.get("card", error.messages)
                raise ValidationError(f"{card.name}: {' '.join(messages)}") from None
        return card


class CprForm(forms.Form):
    cpr_aed_valid_until = forms.DateField(
        label="CPR/AED valid until", required=False, widget=DateInput(),
        help_text="The expiry date on your CPR/AED card; empty if you have none.",
        error_messages={"invalid": "Enter a real date as MM/DD/YYYY, like 03/14/2027."})
