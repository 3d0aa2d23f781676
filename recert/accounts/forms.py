"""Log-in, sign-up and claim forms. Failed log-ins are counted and refused by django-axes
(its authentication backend); see recert/accounts/lockouts.py."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm

from recert.accounts.lockouts import one_attempt_at_a_time
from recert.lib.clientip import client_ip


class OneAttemptAtATime:
    """Checks the password alone among the attempts for the same username and address,
    so that parallel guesses are counted one by one (recert.accounts.lockouts)."""

    def clean(self):
        refused = None
        with one_attempt_at_a_time(self.cleaned_data.get("username"), client_ip(self.request)):
            try:
                cleaned = super().clean()
            except forms.ValidationError as error:
                # Raised after the transaction commits: the failure axes counted stays.
                refused = error
        if refused is not None:
            raise refused
        return cleaned


class LoginForm(OneAttemptAtATime, AuthenticationForm):
    pass


class AdminLoginForm(OneAttemptAtATime, AdminAuthenticationForm):
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
