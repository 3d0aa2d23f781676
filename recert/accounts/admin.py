from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.urls import reverse

from recert.accounts.actions import do_issue_claim_link
from recert.accounts.models import ClaimToken, User
from recert.core import admin as core_admin
from recert.core.actions.professionals import PROFESSIONAL_FIELDS, do_create_professional
from recert.core.models import Professional


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_active")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ClaimToken)
class ClaimTokenAdmin(ReadOnlyAdmin):
    list_display = ("user", "created_at", "expires_at", "used_at", "created_by")
    list_select_related = ("user", "created_by")
    search_fields = ("user__username", "user__email")
    list_filter = ("used_at",)
    exclude = ("token_hash",)


# --- Professionals: creating an account without a password, and its claim link -------------
# The professional admin is the core app's; accounts own account creation and claim links, so
# they extend it here (core never imports accounts).

class ProfessionalCreateForm(forms.ModelForm):
    username = forms.CharField(max_length=150, help_text=(
        "The account is created without a password; the professional sets one through "
        "the claim link shown after saving."))

    class Meta:
        model = Professional
        fields = PROFESSIONAL_FIELDS

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username=username).exists():
            raise forms.ValidationError("This username is taken.")
        return username

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if not email:
            raise forms.ValidationError("An e-mail address is needed to claim the account.")
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this e-mail address already exists.")
        return email


def claim_url(request, professional: Professional, raw: str) -> str:
    return request.build_absolute_uri(
        reverse("claim", kwargs={"user_id": professional.user_id, "token": raw}))


admin.site.unregister(Professional)


@admin.register(Professional)
class ProfessionalAdmin(core_admin.ProfessionalAdmin):
    actions = ["issue_claim_link"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ProfessionalCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["username", *PROFESSIONAL_FIELDS]
        return super().get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = {k: form.cleaned_data[k] for k in PROFESSIONAL_FIELDS}
        professional = do_create_professional(username=form.cleaned_data["username"],
                                              actor=request.user, **data)
        obj.pk, obj.user_id = professional.pk, professional.user_id
        obj._state.adding = False
        raw = do_issue_claim_link(professional, actor=request.user)
        messages.info(request, f"One-time claim link for {professional.full_name}: "
                               f"{claim_url(request, professional, raw)}")

    @admin.action(description="Issue a new claim link")
    def issue_claim_link(self, request, queryset):
        for professional in queryset:
            if professional.user.has_usable_password():
                messages.warning(request, f"{professional.full_name} already has a password; "
                                          "they can reset it by e-mail.")
                continue
            raw = do_issue_claim_link(professional, actor=request.user)
            messages.info(request, f"One-time claim link for {professional.full_name}: "
                                   f"{claim_url(request, professional, raw)}")
