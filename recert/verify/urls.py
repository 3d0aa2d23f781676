from __future__ import annotations

from django.urls import path

from recert.verify import views

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("settings/verification/", views.verify_listing, name="verify_listing"),
    # Open Badges 3.0: the holder's download, the badge check, and what verifiers fetch.
    path("certifications/<int:certification_id>/badge/", views.certification_badge,
         name="certification_badge"),
    path("verify/badge/", views.verify_badge, name="verify_badge"),
    path("verify/badge.json", views.verify_badge_json, name="verify_badge_json"),
    path(".well-known/jwks.json", views.badge_jwks, name="badge_jwks"),
    path("badges/keys/<str:key_id>.json", views.badge_key, name="badge_key"),
    path("badges/issuers/<str:body_code>.json", views.badge_issuer, name="badge_issuer"),
    path("badges/achievements/<str:body_code>/<str:program_code>.json",
         views.badge_achievement, name="badge_achievement"),
    path("badges/status/<str:body_code>/<int:list_number>", views.badge_status_list,
         name="badge_status_list"),
]
