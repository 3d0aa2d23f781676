from __future__ import annotations

from django.urls import path

from recert.front import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("certifications/", views.certification_list, name="certifications"),
    path("certifications/<int:certification_id>/", views.certification,
         name="certification"),
    path("certifications/<int:certification_id>/cpr/", views.certification_cpr,
         name="certification_cpr"),
    path("cpr/", views.cpr_aed, name="cpr_aed"),
    path("cpr/card/", views.cpr_card, name="cpr_card"),
    path("credits/", views.credit_list, name="credits"),
    path("credits/report/", views.report, name="report"),
    path("credits/preview/", views.credit_preview, name="credit_preview"),
    path("credits/lookup/", views.course_lookup, name="course_lookup"),
    path("credits/<int:entry_id>/", views.credit, name="credit"),
    path("credits/<int:entry_id>/documents/<int:document_id>/", views.document,
         name="document"),
    path("credits/<int:entry_id>/documents/<int:document_id>/remove/", views.document_remove,
         name="document_remove"),
    path("credits/<int:entry_id>/edit/", views.credit_edit, name="credit_edit"),
    path("credits/<int:entry_id>/delete/", views.credit_delete, name="credit_delete"),
    path("credits/<int:entry_id>/restore/", views.credit_restore, name="credit_restore"),
    path("settings/email/", views.email_settings, name="email_settings"),
    path("email/unsubscribe/<str:token>/", views.email_unsubscribe, name="email_unsubscribe"),
]
