"""The auditors' petition queue (/staff/petitions/)."""

from __future__ import annotations

from django.urls import path

from recert.providers.views import petitions

app_name = "petitions"

urlpatterns = [
    path("", petitions.queue, name="queue"),
    path("<int:petition_id>/", petitions.review, name="review"),
]
