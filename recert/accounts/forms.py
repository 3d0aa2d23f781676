"""Log-in, sign-up and claim forms. Failed log-ins are counted and refused by django-axes
(its authentication backend); see recert/accounts/lockouts.py."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

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


class SignupForm(forms.Form):
    """Checks what a person typed, never whether a username or address is taken: the answer
    must be the same either way (recert.accounts.actions.do_sign_up)."""

    username = forms.CharField(
        label="Username", max_length=150,
        validators=[get_user_model().username_validator],
        help_text="Up to 150 characters: letters, digits and @ . + - _ only.")
    email = forms.EmailField(label="E-mail address",
                             help_text="We send a link there to check that it is yours.")
    full_name = forms.CharField(max_length=200, label="Full name")
    password1 = forms.CharField(label="Password", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label="Password confirmation", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text="The same password again.")

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", "The two passwords differ; type the same one twice.")
        elif one:
            probe = get_user_model()(username=data.get("username") or "",
                                     email=data.get("email") or "")
            try:
                password_validation.validate_password(one, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label="New e-mail address")

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class RecertPasswordResetForm(PasswordResetForm):
    """Sends the reset link only to a verified address (a new one gets nothing but its
    verification message), with the same answer either way."""

    def get_users(self, email):
        from recert.accounts.verification import is_verified

        for user in super().get_users(email):
            if is_verified(user, email):
                yield user

    def send_mail(self, subject_template_name, email_template_name, context, from_email,
                  to_email, html_email_template_name=None):
        """Through Recert's one sending layer (recert.core.mail): the same look as every
        other message, a row in the person's history, retried when the server is busy."""
        from recert.accounts.actions import do_send_password_reset

        do_send_password_reset(context["user"], to_email, uid=context["uid"],
                               token=context["token"])


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code", max_length=16, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text",
                                      "autocapitalize": "off", "spellcheck": "false"}),
        help_text="Six digits from the app, or a recovery code.")

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split())
