"""Log-in, sign-up and claim forms. Failed log-ins are counted and refused by django-axes
(its authentication backend); see recert/accounts/lockouts.py."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm


class LoginForm(AuthenticationForm):
    pass


class AdminLoginForm(AdminAuthenticationForm):
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
