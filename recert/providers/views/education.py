"""The bodies' education staff: providers (approval for a period, inviting their staff by
claim link) and the queue of courses submitted for approval."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from recert.core.access import access_course, access_provider, staff_bodies, visible_providers
from recert.core.models import Course, ProviderApproval
from recert.providers import actions
from recert.providers.forms import (
    ApprovalForm,
    ApproveCourseForm,
    InviteForm,
    ProviderForm,
    SendBackForm,
    errors_to_form,
)
from recert.providers.views.common import education_required

EDUCATION = "education"


@education_required
def index(request: HttpRequest) -> HttpResponse:
    bodies = staff_bodies(request.user, EDUCATION)
    queue = Course.objects.filter(body__in=bodies, status=Course.SUBMITTED).select_related(
        "body", "provider").order_by("submitted_at", "id")
    providers = visible_providers(request.user, EDUCATION).prefetch_related(
        Prefetch("approvals", queryset=ProviderApproval.objects.select_related("body")))
    return render(request, "providers/education/index.html", {
        "queue": queue, "providers": providers})


@education_required
def course(request: HttpRequest, course_id: int) -> HttpResponse:
    course = access_course(request.user, course_id, EDUCATION, as_staff=True)
    approve = ApproveCourseForm(request.POST if request.POST.get("do") == "approve" else None,
                                initial={"course_number": course.course_number,
                                         "approved_from": timezone.localdate()})
    send_back = SendBackForm(request.POST if request.POST.get("do") == "send_back" else None)
    if request.method == "POST":
        try:
            if request.POST.get("do") == "approve" and approve.is_valid():
                actions.do_approve_course(course, actor=request.user, **approve.cleaned_data)
                messages.success(request, "Course approved; the provider is told.")
                return redirect("education:index")
            if request.POST.get("do") == "send_back" and send_back.is_valid():
                actions.do_send_back_course(course, actor=request.user,
                                            reason=send_back.cleaned_data["reason"])
                messages.success(request, "Course sent back to the provider.")
                return redirect("education:index")
        except ValidationError as error:
            errors_to_form(approve if request.POST.get("do") == "approve" else send_back, error)
    return render(request, "providers/education/course.html", {
        "course": course, "approve": approve, "send_back": send_back,
        "other_credits": course.other_credits.select_related("body")})


@education_required
def provider_new(request: HttpRequest) -> HttpResponse:
    bodies = staff_bodies(request.user, EDUCATION)
    form = ProviderForm(request.POST or None)
    approval = ApprovalForm(request.POST or None, bodies=bodies,
                            initial={"approved_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid() and approval.is_valid():
        try:
            provider = actions.do_create_provider(actor=request.user, **form.cleaned_data,
                                                  **approval.cleaned_data)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, f"{provider.name} added. Invite their staff below.")
            return redirect("education:provider", provider.pk)
    return render(request, "providers/education/provider_new.html",
                  {"form": form, "approval": approval})


@education_required
def provider(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = access_provider(request.user, provider_id, EDUCATION, as_staff=True)
    bodies = staff_bodies(request.user, EDUCATION)
    do = request.POST.get("do")
    invite = InviteForm(request.POST if do == "invite" else None)
    approval = ApprovalForm(request.POST if do == "approve" else None, bodies=bodies,
                            initial={"approved_from": timezone.localdate()})
    link = None
    if request.method == "POST":
        try:
            if do == "invite" and invite.is_valid():
                _membership, raw = actions.do_invite_provider_member(
                    provider, email=invite.cleaned_data["invite_email"],
                    name=invite.cleaned_data["invite_name"], actor=request.user)
                if raw is None:
                    messages.success(request, "They already have an account: they are now a "
                                              "member and were told by e-mail.")
                    return redirect("education:provider", provider.pk)
                link = request.build_absolute_uri(
                    f"/accounts/claim/{_membership.user_id}/{raw}/?next=/provider/")
                invite = InviteForm()
            elif do == "approve" and approval.is_valid():
                actions.do_approve_provider(provider, actor=request.user,
                                            **approval.cleaned_data)
                messages.success(request, "Approval recorded.")
                return redirect("education:provider", provider.pk)
        except ValidationError as error:
            errors_to_form(invite if do == "invite" else approval, error)
    return render(request, "providers/education/provider.html", {
        "provider": provider, "invite": invite, "approval": approval, "link": link,
        "approvals": provider.approvals.select_related("body"),
        "members": provider.members.select_related("user"),
        "courses": provider.courses.select_related("body").order_by("title")})
