"""The admin is for superusers only (issue 12): staff, whatever permissions they hold,
are sent to the admin's log-in and see nothing; payment payloads show no personal data."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.test import Client

from tests.security.urlmap import fill, routes


def _admin_model_routes():
    return [r for r in routes() if r.is_admin and r.admin_model is not None]


def test_staff_with_permissions_open_no_admin_page(world):
    """Every page of every registered model refuses tom, staff holding the view
    permission of every model, but no superuser."""
    world.tom.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    client = Client(raise_request_exception=False)
    client.force_login(world.tom)
    opened = []
    for route in _admin_model_routes():
        url = fill(route, world)
        response = client.get(url)
        if not (response.status_code == 302 and "/admin/login/" in response.url):
            opened.append(f"{url}: {response.status_code}")
        body = response.content.decode(errors="replace")
        for marker in world.markers:
            assert marker not in body, f"{url} shows {marker!r} to staff"
    assert opened == []


def test_payment_issue_shows_what_finance_needs_and_no_personal_data(world):
    client = Client()
    client.force_login(world.sam)
    page = client.get(f"/admin/renewals/paymentissue/{world.payment_issue.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "cs_test_world" in body and "4500" in body and world.invoice.number in body
    assert "alice@example.com" not in body and "customer_email" not in body
