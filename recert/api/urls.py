from __future__ import annotations

from django.urls import path, re_path

from recert.api import views
from recert.api.v1 import api as api_v1


def _problems_for_405(urls):
    """ninja answers a method a path does not have with a plain-text 405; the API's
    answer is a problem document (with the same Allow header)."""
    patterns, app_name, namespace = urls
    for pattern in patterns:
        pattern.callback = views.method_not_allowed_as_problem(pattern.callback)
    return patterns, app_name, namespace


urlpatterns = [
    path("api/v1/", _problems_for_405(api_v1.urls)),
    # Any other address under /api/: a problem document, not the HTML 404 page.
    re_path(r"^api/", views.api_not_found, name="api_not_found"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
