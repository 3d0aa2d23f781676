"""Top-level URLs: pages, accounts and the staff admin."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from recert.accounts.forms import AdminLoginForm

admin.site.login_form = AdminLoginForm
admin.site.site_header = "Recert staff"
admin.site.site_title = "Recert staff"

urlpatterns = [
    path("", include("recert.front.urls")),
    path("", include("recert.exports.urls")),
    path("", include("recert.renewals.urls")),
    path("", include("recert.api.urls")),
    path("", include("recert.verify.urls")),
    path("accounts/", include("recert.accounts.urls")),
    path("admin/", admin.site.urls),
]
