"""Report a credit (ACSM-FORM-1 plus unit and awarding organization), its live preview
by the engine, and the ACE course catalog lookup."""

from __future__ import annotations

import re
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from recert.core.access import own_professional
from recert.core.actions.credits import (
    atomic_with_documents,
    do_attach_document,
    do_create_credit_entry,
)
from recert.core.evaluation import evaluated_of, preview_of
from recert.core.models import Course
from recert.core.policies import course_numbers
from recert.front import explain
from recert.front.forms import (
    CreditForm,
    describe,
    draft_problem,
    draft_values,
    mdy,
    organization_of,
)
from recert.front.views.common import label
from recert.rules import CreditIn
from recert.rules import model as rules_model

DRAFT_ID = "draft"
# Fields the catalog fills in; the rest of what was typed is kept.
FILLED = ["title", "amount", "unit", "credit_type", "provider", "provider_other",
          "format"]


def form_context(professional) -> dict:
    """What the form needs to check a date and a document: the engine's current cycles, the
    user's bodies and the course-number formats of the bodies that approve by number."""
    certifications, evaluated = evaluated_of(professional, timezone.localdate())
    cycles, bodies = [], []
    for certification, result in evaluated.rows(certifications):
        if result is None or result.status == rules_model.INVALID:
            continue
        cycles.append((label(certification), result.cycle.start, result.cycle.end))
        if result.body not in bodies:
            bodies.append(result.body)
    return {
        "form_kwargs": {"cycles": cycles, "bodies": bodies,
                        "course_numbers": course_numbers(timezone.localdate())},
        "page": {"cycles": cycles, "has_certifications": bool(certifications)},
    }


def catalog_course(number: str) -> Course | None:
    number = (number or "").strip().upper()
    if not number:
        return None
    # Approved catalog courses only: a provider's draft or submitted course fills in nothing.
    return Course.objects.select_related("body", "provider").filter(
        course_number=number, status=Course.APPROVED).first()


def typed_date(data, name: str = "earned_on") -> date | None:
    try:
        return date.fromisoformat((data.get(name) or "").strip())
    except ValueError:
        return None


def approval_problem(course: Course, on: date | None) -> str | None:
    """Why the catalog cannot fill in this course for a credit earned on that date (None
    when its approval covers the date, or when no date is typed yet)."""
    if on is None:
        return None
    name = f"{course.course_number} ({course.title})"
    if on < course.approved_from:
        return (f"{name} was approved from {mdy(course.approved_from)}, after the date earned "
                f"{mdy(on)}: enter the credits from your certificate.")
    if course.approved_until is not None and on > course.approved_until:
        return (f"The approval of {name} lapsed on {mdy(course.approved_until)}, before the "
                f"date earned {mdy(on)}: enter the credits from your certificate.")
    return None


def approved_course(data) -> tuple[Course | None, str | None]:
    """The catalog course of the typed number if its approval covers the typed date earned;
    otherwise None and, for a known course, why it is not filled in."""
    course = catalog_course(data.get("course_number"))
    if course is None:
        return None, None
    problem = approval_problem(course, typed_date(data))
    return (None, problem) if problem else (course, None)


def filled_from(data, course: Course) -> dict:
    values = data.dict() if hasattr(data, "dict") else dict(data)
    # The course's body awarded the credits; the catalog's provider ran it.
    choice, name = organization_of(course.body.code, course.provider.name)
    values.update({
        "title": course.title, "amount": format(course.credits.normalize(), "f"), "unit": "cec",
        "credit_type": "cec", "provider": choice, "provider_other": name,
        "course_number": course.course_number,
    })
    if not values.get("format"):
        values["format"] = course.format
    return values


@login_required
def report(request: HttpRequest) -> HttpResponse:
    professional = own_professional(request.user)
    context = form_context(professional)
    if request.method == "POST" and "lookup" in request.POST:
        # Without JavaScript: "Look up" fills the form from the catalog and saves nothing.
        course, lapsed = approved_course(request.POST)
        data = filled_from(request.POST, course) if course else request.POST
        form = CreditForm(initial=data, **context["form_kwargs"])
        if lapsed:
            messages.info(request, lapsed)
        elif course is None:
            messages.info(request, "That course number is not in the catalog: enter the "
                                   "credits from your certificate.")
        return render(request, "front/report.html", {
            "form": describe(form), "heading": "Report a credit", **context["page"]})
    form = CreditForm(request.POST or None, request.FILES or None, **context["form_kwargs"])
    if request.method == "POST" and form.is_valid():
        with atomic_with_documents():
            entry = do_create_credit_entry(professional, actor=request.user,
                                           **form.entry_fields())
            for uploaded in form.cleaned_data["documents"]:
                do_attach_document(entry, uploaded, actor=request.user)
        outside = form.outside_every_cycle()
        if outside:
            messages.info(request, f"Reported “{entry.title}”. {outside}")
        else:
            messages.success(request, f"Reported “{entry.title}”. Here is how it counts.")
        return redirect("credit", entry.pk)
    return render(request, "front/report.html", {
        "form": describe(form), "heading": "Report a credit", **context["page"]})


@require_POST
@login_required
def credit_preview(request: HttpRequest) -> HttpResponse:
    """How the draft would count for each certification; nothing is stored."""
    professional = own_professional(request.user)
    values = draft_values(request.POST)
    rows, problem = [], None
    amount_problem = draft_problem(request.POST)
    if amount_problem:
        problem = f"Number of credits: {amount_problem}"
    elif values is None:
        problem = "Enter the date, format, number of credits and unit to see how it counts."
    else:
        replaces = request.POST.get("entry")
        try:
            standing = preview_of(professional, timezone.localdate(),
                                  CreditIn(id=DRAFT_ID, **values),
                                  replaces=int(replaces) if replaces and replaces.isdigit()
                                  else None)
        except (KeyError, ValueError, ArithmeticError):
            problem = "This combination cannot be evaluated yet; check the format and unit."
        else:
            for certification, result in standing.rows():
                if result is None:
                    continue
                c = result.credit(DRAFT_ID)
                rows.append({"label": label(certification), "outcome": c.outcome,
                             "outcome_words": explain.outcome_words(c.outcome),
                             "counted": c.counted, "converted": c.converted,
                             "reason": explain.reason(c.outcome, c.rules),
                             "earned": result.earned, "required": result.required})
    return render(request, "front/_preview.html", {"rows": rows, "problem": problem})


@require_POST
@login_required
def course_lookup(request: HttpRequest) -> HttpResponse:
    """Fills the form's fields from the catalog (htmx out-of-band swaps) when the number is
    known; otherwise says what is accepted."""
    own_professional(request.user)
    number = (request.POST.get("course_number") or "").strip().upper()
    course, lapsed = approved_course(request.POST)
    numbers = course_numbers(timezone.localdate())
    form = None
    if course is not None:
        # Only the filled-in fields are rendered (unbound): no cycles or standing are needed,
        # so a keystroke costs no evaluation.
        form = describe(CreditForm(initial=filled_from(request.POST, course),
                                   course_numbers=numbers))
    # The bodies that approve courses by number, and whether the typed one fits their format.
    response = render(request, "front/_lookup.html", {
        "course": course, "number": number, "form": form, "filled": FILLED, "lapsed": lapsed,
        "numbered_by": " or ".join(numbers),
        "example": " or ".join(n.example for n in numbers.values() if n.example),
        "looks_numbered": any(re.fullmatch(n.pattern, number) for n in numbers.values()),
    })
    if course is not None:
        response["HX-Trigger-After-Settle"] = "recert:filled"
    return response
