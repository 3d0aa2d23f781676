"""The provider's pages (/provider/)."""

from __future__ import annotations

from django.urls import path

from recert.providers.views import provider, rosters

app_name = "providers"

urlpatterns = [
    path("", provider.home, name="home"),
    path("<int:provider_id>/courses/new/", provider.course_new, name="course_new"),
    path("courses/<int:course_id>/", provider.course, name="course"),
    path("courses/<int:course_id>/submit/", provider.course_submit, name="course_submit"),
    path("courses/<int:course_id>/events/new/", provider.event_new, name="event_new"),
    path("events/<int:event_id>/", provider.event, name="event"),
    path("courses/<int:course_id>/rosters/new/", rosters.roster_upload, name="roster_upload"),
    path("rosters/<int:roster_id>/", rosters.roster, name="roster"),
    path("roster-rows/<int:row_id>/", rosters.roster_row, name="roster_row"),
]
