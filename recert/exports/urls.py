from __future__ import annotations

from django.urls import path

from recert.exports import views

app_name = "exports"

urlpatterns = [
    path("transcript/", views.transcript, name="transcript"),
    path("transcript/<slug:scope>/print/", views.transcript_print, name="transcript_print"),
    # A slug has no dot, so "all.xlsx" splits into scope and format unambiguously.
    path("transcript/<slug:scope>.<slug:fmt>", views.transcript_download,
         name="transcript_download"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/regenerate/", views.calendar_regenerate, name="calendar_regenerate"),
    path("calendar/<slug:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("settings/data/", views.your_data, name="your_data"),
    path("settings/close/", views.close_account, name="close_account"),
]
