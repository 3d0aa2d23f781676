"""Sign-up, log-in (with the locked-out page), password reset, and claiming an account
created by staff."""

from __future__ import annotations

import math
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import LoginView, PasswordResetConfirmView
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from recert.accounts.actions import do_lift_lockouts_of
from recert.accounts.forms import LoginForm, SignupForm
from recert.accounts.lockouts import locked_until, username_of
from recert.core.actions.professionals import (
    ClaimRefused,
    check_claim_token,
    do_claim_account,
    do_create_professional,
)


class RecertLoginView(LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True


def locked_out(request: HttpRequest, original_response=None,
               credentials: dict | None = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the answer to a log-in refused for too many failures of this
    username from this address: 429, when to try again (Retry-After too), and the reset."""
    username = username_of(request, credentials)
    until = locked_until(username, getattr(request, "axes_ip_address", None))
    if until is None:  # lifted or expired in between: the lock-out's own length
        until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    response = render(request, "accounts/locked_out.html", {
        "until": until, "minutes": max(1, math.ceil(seconds / 60)),
    }, status=429)
    response["Retry-After"] = str(seconds)
    return response


class ResetPasswordConfirmView(PasswordResetConfirmView):
    """Choosing a new password from the e-mailed link lifts the lock-outs of the account:
    whoever holds the mailbox is the owner."""

    def form_valid(self, form):
        response = super().form_valid(form)
        do_lift_lockouts_of(form.user, actor=form.user, reason="password reset")
        return response


@sensitive_post_parameters("password1", "password2")
@never_cache
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            professional = do_create_professional(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                actor=None,
            )
        login(request, professional.user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome to Recert. Add your certifications to get started.")
        return redirect("dashboard")
    return render(request, "accounts/signup.html", {"form": form})


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
def claim(request: HttpRequest, user_id: int, token: str) -> HttpResponse:
    try:
        claim_token = check_claim_token(user_id, token)
    except ClaimRefused as refused:
        return render(request, "accounts/claim_refused.html", {"reason": str(refused)},
                      status=410)
    form = SetPasswordForm(claim_token.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = do_claim_account(user_id, token, form.cleaned_data["new_password1"])
        except ClaimRefused as refused:
            form.add_error(None, forms.ValidationError(str(refused)))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Your password is set. Welcome to Recert.")
            # An invited provider member's link names their page (/provider/).
            after = request.GET.get("next", "")
            if url_has_allowed_host_and_scheme(after, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
                return redirect(after)
            return redirect("dashboard")
    return render(request, "accounts/claim.html", {"form": form, "claimed_user": claim_token.user})
