"""The user's settings page: personal access tokens for the API (create, name, scope,
expiry; shown once; revoke)."""

from __future__ import annotations

import functools
from datetime import datetime, time

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from recert.accounts.second_factor import passed_second_factor
from recert.api.actions import do_create_access_token, do_revoke_access_token
from recert.api.models import AccessToken
from recert.api.problems import problem_response
from recert.core.access import member_providers
from recert.core.context import consoles_of
from recert.core.models import Professional
from recert.core.words import mdy
from recert.front.forms import DateInput, describe
from recert.verify.actions import is_listed


class TokenForm(forms.Form):
    """Name, scope, expiry and, for a member of a provider or of a body's staff, whose token
    it is (`kind`: "personal", "staff" or "provider-<id>"). Provider and staff tokens need
    a session that passed the second factor, as the consoles do."""

    kind = forms.ChoiceField(
        label="Acts for", widget=forms.RadioSelect, initial=AccessToken.PERSONAL,
        required=False,
        help_text="A provider token acts for the organization (its members see it and may "
                  "revoke it) while you are a member; a staff token carries your staff roles "
                  "and bodies, as they are at each call.",
        error_messages={"invalid_choice": "Choose one of the listed choices."})
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

    def __init__(self, data=None, *, user, consoles: dict[str, bool], second_factor: bool):
        """`consoles`: the user's menu_of (shared with the page's menu, so that a plain
        professional's page asks nothing more)."""
        super().__init__(data)
        self.second_factor = second_factor
        self.providers = ({f"provider-{p.pk}": p for p in member_providers(user)}
                          if consoles["provider"] else {})
        choices = [(AccessToken.PERSONAL, "Me: my own log and certifications")]
        if consoles["staff"]:
            choices.append((AccessToken.STAFF, "My staff work (my roles and bodies)"))
        choices += [(key, f"The provider {p.name}") for key, p in self.providers.items()]
        self.fields["kind"].choices = choices
        if len(choices) == 1:
            self.fields["kind"].widget = forms.HiddenInput()

    def clean_kind(self):
        kind = self.cleaned_data["kind"] or AccessToken.PERSONAL
        if kind != AccessToken.PERSONAL and not self.second_factor:
            raise forms.ValidationError(
                "Staff and provider tokens need your authenticator code: open the staff or "
                "provider console, enter the code, then come back to this page.")
        return kind

    def token_kind(self) -> tuple[str, object]:
        """(kind, provider or None) of the chosen option."""
        kind = self.cleaned_data["kind"]
        if kind in self.providers:
            return AccessToken.PROVIDER, self.providers[kind]
        return kind, None

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
    second_factor = passed_second_factor(request)
    consoles = consoles_of(request)
    form = TokenForm(request.POST or None, user=request.user, consoles=consoles,
                     second_factor=second_factor)
    new = None
    if request.method == "POST" and form.is_valid():
        kind, provider = form.token_kind()
        token, raw = do_create_access_token(
            request.user, name=form.cleaned_data["name"], scope=form.cleaned_data["scope"],
            expires_at=form.expires_at(), actor=request.user, kind=kind, provider=provider)
        # Shown once, in this response only (never stored, not even in the session); the
        # page is never cached. A fresh, empty form below it.
        new = {"id": token.pk, "raw": raw, "name": token.name}
        form = TokenForm(user=request.user, consoles=consoles, second_factor=second_factor)
    tokens = _revocable(request.user).select_related("provider", "user")
    professional = Professional.objects.filter(user=request.user).first()
    return render(request, "api/settings.html", {
        "form": describe(form), "tokens": tokens, "new": new, "now": timezone.now(),
        "professional": professional,
        "listed": is_listed(professional) if professional else False})


def _revocable(user):
    """The tokens `user` sees and may revoke: their own, and their providers' (a provider
    token belongs to the organization: a colleague may stop it)."""
    return AccessToken.objects.filter(
        Q(user=user) | Q(kind=AccessToken.PROVIDER,
                         provider__in=member_providers(user).values("pk")))


@require_POST
@login_required
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = _revocable(request.user).filter(pk=token_id).first()
    if token is None:
        raise Http404("No such token.")
    do_revoke_access_token(token, actor=request.user)
    messages.success(request, f"Revoked “{token.name}”: it no longer works.")
    return redirect("settings")
