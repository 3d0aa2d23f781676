"""The providers' part of the public site and the professional's pages: the events search,
completions to claim, petitions."""

from __future__ import annotations

from django.urls import path

from recert.providers.views import petitions, rosters, search

urlpatterns = [
    path("events/", search.events, name="events"),
    path("events/<int:event_id>.ics", search.event_ics, name="event_ics"),
    path("completions/", rosters.completions, name="completions"),
    path("completions/<int:row_id>/claim/", rosters.claim_completion, name="claim_completion"),
    path("credits/<int:entry_id>/petition/", petitions.petition, name="petition"),
]
