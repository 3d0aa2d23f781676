"""Sign-up, log-in (with the locked-out page), password reset, and claiming an account
created by staff."""

from __future__ import annotations

import math
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import LoginView, PasswordResetConfirmView, PasswordResetView
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp import match_token, user_has_device

from recert.accounts.actions import (
    ClaimRefused,
    check_claim_token,
    do_change_email,
    do_claim_account,
    do_enrol_second_factor,
    do_lift_lockouts_of,
    do_send_verification,
    do_sign_up,
    do_verify_email,
)
from recert.accounts.forms import (
    CodeForm,
    EmailChangeForm,
    LoginForm,
    RecertPasswordResetForm,
    SignupForm,
)
from recert.accounts.lockouts import locked_until, username_of
from recert.accounts.second_factor import (
    key_of,
    needs_second_factor,
    passed_second_factor,
    pending_device,
    qr_svg,
)
from recert.accounts.verification import current_address, read_token, verified_email
from recert.lib.clientip import client_ip
from recert.lib.ratelimit import hit


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


def _too_many(request: HttpRequest, what: str) -> HttpResponse | None:
    """The per-address limit of sign-up and password-reset requests (a POST counts): a 429
    page when over it, else None."""
    if request.method != "POST":
        return None
    allowed, retry_after = hit(f"{what}:{client_ip(request) or 'unknown'}",
                               settings.ACCOUNT_RATE_LIMIT, settings.ACCOUNT_RATE_WINDOW_SECONDS)
    if allowed:
        return None
    response = render(request, "accounts/too_many.html", {
        "minutes": max(1, math.ceil(retry_after / 60))}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


@sensitive_post_parameters("password1", "password2")
@never_cache
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    refused = _too_many(request, "signup")
    if refused is not None:
        return refused
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        do_sign_up(username=form.cleaned_data["username"], email=form.cleaned_data["email"],
                   full_name=form.cleaned_data["full_name"],
                   password=form.cleaned_data["password1"])
        # The same answer whether the account was made or the name or address was taken.
        request.session["signup_sent_to"] = form.cleaned_data["email"]
        return redirect("signup_sent")
    return render(request, "accounts/signup.html", {"form": form})


@never_cache
def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_sent.html",
                  {"address": request.session.get("signup_sent_to", ""),
                   "days": settings.EMAIL_VERIFY_DAYS})


class RateLimitedPasswordResetView(PasswordResetView):
    form_class = RecertPasswordResetForm

    def post(self, request, *args, **kwargs):
        refused = _too_many(request, "password_reset")
        return refused if refused is not None else super().post(request, *args, **kwargs)


@never_cache
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the verification message: GET asks (a mail scanner opening the link
    changes nothing), POST verifies."""
    found = read_token(token)
    user = get_user_model().objects.filter(pk=found[0]).first() if found else None
    address = found[1] if found else ""
    if user is None or address != current_address(user):
        return render(request, "accounts/verify_refused.html", status=410)
    if request.method == "POST":
        do_verify_email(user, address, actor=user)
        messages.success(request, f"Thank you: {address} is verified. Recert writes to it "
                                  "from now on.")
        return redirect("dashboard" if request.user == user else "login")
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    return render(request, "accounts/verify_email.html", {"address": address})


@never_cache
@login_required
def change_email(request: HttpRequest) -> HttpResponse:
    """The user's address, whether it is verified, and a form to change it."""
    if request.method == "POST" and request.POST.get("resend"):
        do_send_verification(request.user, actor=request.user)
        messages.success(request, f"We sent a new link to {current_address(request.user)}.")
        return redirect("change_email")
    form = EmailChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address = form.cleaned_data["email"]
        do_change_email(request.user, address, actor=request.user)
        messages.success(request, f"We sent a link to {address}. Follow it to start using "
                                  "this address; until then Recert writes to it nothing else.")
        return redirect("change_email")
    address = current_address(request.user)
    return render(request, "accounts/email.html", {
        "form": form, "address": address,
        "verified": bool(address) and verified_email(request.user) == address})


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


# -- second factor (issue 11 item 6) -------------------------------------------------------

def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse("staff:index")


@sensitive_post_parameters("code")
@never_cache
@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """Log-in's second step: a code from the authenticator app, or a recovery code."""
    if not user_has_device(request.user):
        return redirect(f"{reverse('second_factor_setup')}?"
                        f"{urlencode({'next': _next_url(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("code", "This code is not right (or was used already). Type the six "
                               "digits your app shows now, or one of your recovery codes.")
    return render(request, "accounts/second_factor.html",
                  {"form": form, "next": _next_url(request)})


@sensitive_post_parameters("code")
@never_cache
@login_required
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrolment: an authenticator app scans the QR code (or types the key), the person
    types its first code; then the recovery codes are shown, once."""
    if not needs_second_factor(request.user):
        raise PermissionDenied("A second factor is for staff and provider accounts.")
    if user_has_device(request.user) and not passed_second_factor(request):
        # A new device only from a session that passed the present one.
        return redirect(f"{reverse('second_factor')}?"
                        f"{urlencode({'next': _next_url(request)})}")
    device = pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = do_enrol_second_factor(request.user, device, actor=request.user)
            otp_login(request, device)
            # Shown in this response only: never stored in clear elsewhere, never cached.
            return render(request, "accounts/recovery_codes.html",
                          {"codes": codes, "next": _next_url(request)})
        form.add_error("code", "This code is not right. Check the clock of your phone and "
                               "type the six digits the app shows now.")
    return render(request, "accounts/second_factor_setup.html", {
        "form": form, "next": _next_url(request), "qr": qr_svg(device),
        "key": key_of(device)})
