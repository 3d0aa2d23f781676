from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from recert.accounts.models import ClaimToken, User


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
