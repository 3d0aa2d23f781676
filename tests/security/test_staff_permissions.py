"""Staff without permissions see nothing: every admin page needs its model's view
permission, and payment payloads show no personal data (issue 11, item 3)."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.test import Client

from tests.security.urlmap import fill, routes


def _admin_model_routes():
    return [r for r in routes() if r.is_admin and r.admin_model is not None]


def test_staff_without_permissions_open_no_admin_page(world):
    """Every page of every registered model (lists, objects, history, downloads, the
    lifecycle pages) refuses tom, who is staff with no permission."""
    client = Client(raise_request_exception=False)
    client.force_login(world.tom)
    opened = []
    for route in _admin_model_routes():
        url = fill(route, world)
        response = client.get(url, follow=True)
        if response.status_code != 403:
            opened.append(f"{url}: {response.status_code}")
        body = response.content.decode(errors="replace")
        for marker in world.markers:
            assert marker not in body, f"{url} shows {marker!r} to staff without permission"
    assert opened == []
    index = client.get("/admin/").content.decode()
    assert "You don’t have permission to view or edit anything" in index


def test_the_view_permission_opens_that_model_only(world):
    tom = world.tom
    tom.user_permissions.add(Permission.objects.get(codename="view_invoice"))
    client = Client()
    client.force_login(tom)
    invoice = f"/admin/renewals/invoice/{world.invoice.pk}/change/"
    assert client.get(invoice).status_code == 200
    assert client.get("/admin/renewals/invoice/").status_code == 200
    for other in ("/admin/renewals/paymentissue/", "/admin/renewals/certificationlifecycle/",
                  f"/admin/renewals/certificationlifecycle/{world.certification.pk}/change/",
                  f"/admin/core/document/{world.document.pk}/download/"):
        assert client.get(other).status_code == 403, other


def test_payment_issue_shows_what_finance_needs_and_no_personal_data(world):
    tom = world.tom
    tom.user_permissions.add(Permission.objects.get(codename="view_paymentissue"))
    client = Client()
    client.force_login(tom)
    page = client.get(f"/admin/renewals/paymentissue/{world.payment_issue.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "cs_test_world" in body and "4500" in body and world.invoice.number in body
    assert "alice@example.com" not in body and "customer_email" not in body


def test_lifecycle_page_needs_a_permission(world):
    tom = world.tom
    url = f"/admin/renewals/certificationlifecycle/{world.certification.pk}/change/"
    client = Client()
    client.force_login(tom)
    assert client.get(url).status_code == 403
    tom.user_permissions.add(Permission.objects.get(codename="view_certificationlifecycle"))
    client.force_login(tom)
    assert client.get(url).status_code == 200
