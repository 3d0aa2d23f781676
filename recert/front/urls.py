from __future__ import annotations

from django.urls import path

from recert.front import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("certifications/<int:certification_id>/", views.certification_detail,
         name="certification"),
]
