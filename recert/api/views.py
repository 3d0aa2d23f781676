"""The user's settings page: personal access tokens for the API (create, name, scope,
expiry; shown once; revoke)."""

from __future__ import annotations

import functools
from datetime import datetime, time

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from recert.api.actions import do_create_access_token, do_revoke_access_token
from recert.api.models import AccessToken
from recert.api.problems import problem_response
from recert.core.models import Professional
from recert.front.forms import DateInput, describe, mdy
from recert.verify.actions import is_listed


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Token name", max_length=100,
        help_text="What uses it, like “my spreadsheet”. Only you see it.",
        error_messages={"required": "Enter a name for the token, like “my spreadsheet”."})
    scope = forms.ChoiceField(
        label="Access", choices=AccessToken.SCOPES, initial=AccessToken.READ,
        widget=forms.RadioSelect,
        help_text="Read only: see your log and certifications. Read and write: also report, "
                  "change and delete credits.",
        error_messages={"required": "Choose read only, or read and write.",
                        "invalid_choice": "Choose read only, or read and write."})
    expires_on = forms.DateField(
        label="Expires on", required=False, widget=DateInput(),
        help_text="Optional: the token stops working at the end of that day.",
        error_messages={"invalid": "Enter a real date as MM/DD/YYYY, like 03/14/2027."})

    def clean_expires_on(self):
        day = self.cleaned_data.get("expires_on")
        if day and day < timezone.localdate():
            raise forms.ValidationError(f"{mdy(day)} is in the past. Enter today or a later "
                                        "date, or leave it empty.")
        return day

    def expires_at(self) -> datetime | None:
        day = self.cleaned_data.get("expires_on")
        if not day:
            return None
        return timezone.make_aware(datetime.combine(day, time.max))


def method_not_allowed_as_problem(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.has_header("Allow"):
            allowed = response["Allow"]
            return problem_response(405, f"{request.method} is not accepted here; accepted: "
                                         f"{allowed}.", headers={"Allow": allowed})
        return response

    wrapped.csrf_exempt = True  # as ninja's own view: the auth classes check CSRF
    return wrapped


def api_not_found(request: HttpRequest) -> HttpResponse:
    return problem_response(404, "No such API address. The API is at /api/v1/ (its "
                                 "description: /api/v1/openapi.json).")


@never_cache
@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new = None
    if request.method == "POST" and form.is_valid():
        token, raw = do_create_access_token(
            request.user, name=form.cleaned_data["name"], scope=form.cleaned_data["scope"],
            expires_at=form.expires_at(), actor=request.user)
        # Shown once, in this response only (never stored, not even in the session); the
        # page is never cached. A fresh, empty form below it.
        new = {"id": token.pk, "raw": raw, "name": token.name}
        form = TokenForm()
    tokens = AccessToken.objects.filter(user=request.user)
    professional = Professional.objects.filter(user=request.user).first()
    return render(request, "api/settings.html", {
        "form": describe(form), "tokens": tokens, "new": new, "now": timezone.now(),
        "professional": professional,
        "listed": is_listed(professional) if professional else False})


@require_POST
@login_required
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = AccessToken.objects.filter(user=request.user, pk=token_id).first()
    if token is None:
        raise Http404("No such token.")
    do_revoke_access_token(token, actor=request.user)
    messages.success(request, f"Revoked “{token.name}”: it no longer works.")
    return redirect("settings")
