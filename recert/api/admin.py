"""Staff see API tokens (never their hash) and can revoke one, e.g. a leaked token."""

from __future__ import annotations

from django.contrib import admin

from recert.api.actions import do_revoke_access_token
from recert.api.models import AccessToken


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "kind", "scope", "display", "created_at", "last_used_at",
                    "expires_at", "revoked_at")
    list_select_related = ("user",)
    list_filter = ("kind", "scope", "revoked_at")
    search_fields = ("user__username", "user__email", "name", "prefix")
    fields = readonly_fields = ("user", "kind", "name", "scope", "display", "created_at",
                                "last_used_at", "expires_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request):
        return request.user.has_perm("api.change_accesstoken")

    @admin.action(description="Revoke (the token stops working at once)",
                  permissions=["revoke"])
    def revoke(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            do_revoke_access_token(token, actor=request.user)
        self.message_user(request, f"{len(tokens)} token(s) revoked.")
