"""Log-in (throttled), sign-up and claim forms."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm

from recert.accounts import throttle


class ThrottleMixin:
    """Refuses before checking the password once too many recent attempts failed."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = throttle.client_ip(self.request)
        if throttle.is_throttled(username, ip):
            minutes = max(1, settings.LOGIN_THROTTLE_WINDOW_SECONDS // 60)
            raise forms.ValidationError(
                "Too many failed log-in attempts. Log-in is refused for this account or "
                f"address; try again in {minutes} minutes or reset your password.",
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                throttle.record_failure(username, ip)
            raise
        throttle.clear_failures(username)
        return cleaned


class LoginForm(ThrottleMixin, AuthenticationForm):
    pass


class AdminLoginForm(ThrottleMixin, AdminAuthenticationForm):
    pass


class SignupForm(UserCreationForm):
    full_name = forms.CharField(max_length=200, label="Full name")
    email = forms.EmailField(label="E-mail address")

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this e-mail address already exists.")
        return email
