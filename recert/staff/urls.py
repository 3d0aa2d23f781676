"""The staff console. Every view is wrapped in staff_required (the permission matrix in
tests/staff checks each URL listed here)."""

from __future__ import annotations

from django.urls import path

from recert.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.index, name="index"),
    path("professionals/<int:professional_id>/", views.professional, name="professional"),
    path("lockouts/", views.lockouts, name="lockouts"),
    path("lockouts/<int:attempt_id>/lift/", views.lift_lockout, name="lift_lockout"),
]
