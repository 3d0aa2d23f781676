"""The bodies' education staff console for providers and courses (/staff/education/)."""

from __future__ import annotations

from django.urls import path

from recert.providers.views import education

app_name = "education"

urlpatterns = [
    path("", education.index, name="index"),
    path("courses/<int:course_id>/", education.course, name="course"),
    path("providers/new/", education.provider_new, name="provider_new"),
    path("providers/<int:provider_id>/", education.provider, name="provider"),
]
