from __future__ import annotations

from django.urls import path

from recert.renewals import views

app_name = "renewals"

urlpatterns = [
    path("certifications/<int:certification_id>/renew/", views.start, name="start"),
]
