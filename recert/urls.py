"""Top-level URLs: pages, accounts, the staff console and the admin (superusers)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from recert.accounts.forms import AdminLoginForm

admin.site.login_form = AdminLoginForm
admin.site.site_header = "Recert staff"
admin.site.site_title = "Recert staff"


def _superusers_only(request) -> bool:
    # The admin is for raw data repair by superusers; staff work in the console (/staff/).
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _superusers_only

urlpatterns = [
    path("", include("recert.front.urls")),
    path("", include("recert.exports.urls")),
    path("", include("recert.renewals.urls")),
    path("", include("recert.api.urls")),
    path("", include("recert.verify.urls")),
    path("", include("recert.audits.urls")),
    path("accounts/", include("recert.accounts.urls")),
    path("", include("recert.providers.site_urls")),
    path("provider/", include("recert.providers.urls")),
    path("staff/education/", include("recert.providers.education_urls")),
    path("staff/petitions/", include("recert.providers.petition_urls")),
    path("staff/", include("recert.staff.urls")),
    path("admin/", admin.site.urls),
]
