from __future__ import annotations

from django.urls import path

from recert.verify import views

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("settings/verification/", views.listing, name="verify_listing"),
]
