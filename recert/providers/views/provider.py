"""The provider's pages: their organization, courses (submitted for approval) and events."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from recert.core.access import member_providers
from recert.core.models import Course, ProviderApproval
from recert.providers import actions
from recert.providers.forms import CourseForm, EventForm, errors_to_form
from recert.providers.views.common import own_course, own_event, own_provider, provider_required


@provider_required
def home(request: HttpRequest) -> HttpResponse:
    providers = member_providers(request.user).prefetch_related(
        Prefetch("approvals", queryset=ProviderApproval.objects.select_related("body")),
        Prefetch("courses", queryset=Course.objects.select_related("body").order_by(
            "title", "id")))
    return render(request, "providers/home.html", {"providers": providers})


def _course_initial(course: Course) -> dict:
    initial = {"title": course.title, "description": course.description,
               "format": course.format, "body": course.body_id, "credits": course.credits,
               "course_number": course.course_number}
    for credit in course.other_credits.select_related("body"):
        initial[f"credits_{credit.body.code}"] = credit.credits
    return initial


@provider_required
def course_new(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = own_provider(request.user, provider_id)
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = actions.do_save_course(provider, actor=request.user,
                                            body=form.cleaned_data["body"],
                                            other_credits=form.other_credits(),
                                            **form.course_fields())
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, "Course saved as a draft. Submit it for approval when "
                                      "it is ready.")
            return redirect("providers:course", course.pk)
    return render(request, "providers/course_form.html", {"form": form, "provider": provider})


@provider_required
def course(request: HttpRequest, course_id: int) -> HttpResponse:
    course = own_course(request.user, course_id)
    form = None
    if course.editable_by_provider:
        form = CourseForm(request.POST or None, initial=_course_initial(course))
        if request.method == "POST" and form.is_valid():
            try:
                actions.do_save_course(course.provider, actor=request.user, course=course,
                                       body=form.cleaned_data["body"],
                                       other_credits=form.other_credits(),
                                       **form.course_fields())
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, "Course saved.")
                return redirect("providers:course", course.pk)
    elif request.method == "POST":
        messages.error(request, "The course is submitted or approved; it cannot be changed.")
        return redirect("providers:course", course.pk)
    return render(request, "providers/course.html", {
        "course": course, "form": form,
        "events": course.events.order_by("starts_at"),
        "other_credits": course.other_credits.select_related("body"),
        "rosters": getattr(course, "rosters", None),
    })


@require_POST
@provider_required
def course_submit(request: HttpRequest, course_id: int) -> HttpResponse:
    course = own_course(request.user, course_id)
    try:
        course = actions.do_submit_course(course, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Approved under your provider approval." if course.is_approved
                         else f"Submitted to {course.body.code} for approval.")
    return redirect("providers:course", course.pk)


def _event_initial(event) -> dict:
    return {"delivery": event.delivery, "time_zone": event.time_zone,
            "starts_at": event.local_starts_at.replace(tzinfo=None),
            "ends_at": event.local_ends_at.replace(tzinfo=None), "venue": event.venue,
            "address": event.address, "city": event.city, "postal_code": event.postal_code,
            "capacity": event.capacity, "registration_url": event.registration_url}


def _save_event(request, course, form, event=None):
    try:
        actions.do_save_event(course, actor=request.user, event=event, **form.cleaned_data)
    except ValidationError as error:
        errors_to_form(form, error)
        return None
    messages.success(request, "Event saved.")
    return redirect("providers:course", course.pk)


@provider_required
def event_new(request: HttpRequest, course_id: int) -> HttpResponse:
    course = own_course(request.user, course_id)
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _save_event(request, course, form)
        if done:
            return done
    return render(request, "providers/event_form.html", {"form": form, "course": course})


@provider_required
def event(request: HttpRequest, event_id: int) -> HttpResponse:
    event = own_event(request.user, event_id)
    form = EventForm(request.POST or None, initial=_event_initial(event))
    if request.method == "POST" and request.POST.get("delete"):
        actions.do_delete_event(event, actor=request.user)
        messages.success(request, "Event deleted.")
        return redirect("providers:course", event.course_id)
    if request.method == "POST" and form.is_valid():
        done = _save_event(request, event.course, form, event)
        if done:
            return done
    return render(request, "providers/event_form.html", {"form": form, "course": event.course,
                                                         "event": event})
