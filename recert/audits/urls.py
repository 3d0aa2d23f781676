from __future__ import annotations

from django.urls import path

from recert.audits import views

app_name = "audits"

urlpatterns = [
    path("audits/", views.cases, name="cases"),
    path("audits/<int:case_id>/", views.case, name="case"),
    path("audits/<int:case_id>/note/", views.note, name="note"),
    path("audits/<int:case_id>/submit/", views.submit, name="submit"),
    path("audits/<int:case_id>/replacements/", views.replacement, name="replacement"),
    path("audits/<int:case_id>/credits/<int:item_id>/documents/", views.attach, name="attach"),
    path("audits/<int:case_id>/credits/<int:item_id>/documents/<int:document_id>/remove/",
         views.detach, name="detach"),
    path("audits/<int:case_id>/credits/<int:item_id>/appeal/", views.appeal, name="appeal"),
]
