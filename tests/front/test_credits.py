"""The credit log: tabs, filters, how each entry counted; edit, delete, undo, history; bob."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from recert.core.actions.credits import do_create_credit_entry
from recert.core.models import CreditEntry

TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def entry(professional, **fields):
    values = {"earned_on": date(2026, 2, 1), "title": "Workshop", "format": "workshop",
              "amount": Decimal("3"), "unit": "hour", "provider": "NASM"}
    values.update(fields)
    return do_create_credit_entry(professional, actor=professional.user, **values)


@pytest.fixture
def log(alice, alice_cpt):
    return {
        "teach": entry(alice, title="Teaching squats", format="teaching", amount=Decimal("8"),
                       provider="Local Gym"),
        "old": entry(alice, title="Before certification", earned_on=date(2024, 5, 1)),
        "nasm": entry(alice, title="NASM summit", format="conference", amount=Decimal("1.5"),
                      unit="ceu", awarded_by="NASM", earned_on=date(2026, 3, 3)),
    }


def test_current_tab_and_all_tab(client, alice, log):
    client.force_login(alice.user)
    body = client.get(reverse("credits")).content.decode()
    assert "Teaching squats" in body and "NASM summit" in body
    assert "Before certification" not in body
    assert "capped: teaching and lecturing" in body
    assert "teaching counts at most 5 and volunteering at most 8 per year (ACSM-CAP-YEAR)" in body
    assert "<strong>15</strong>" in body  # 1.5 CEU → 15 ACSM CECs
    all_body = client.get(reverse("credits") + "?tab=all").content.decode()
    assert "Before certification" in all_body and "outside the cycle" in all_body


def test_filters_and_sort(client, alice, log):
    client.force_login(alice.user)
    url = reverse("credits")
    rows = client.get(url, {"tab": "all", "outcome": "capped"}).context["rows"]
    assert [e.title for e, _ in rows] == ["Teaching squats"]
    rows = client.get(url, {"tab": "all", "format": "conference"}).context["rows"]
    assert [e.title for e, _ in rows] == ["NASM summit"]
    rows = client.get(url, {"tab": "all", "provider": "local"}).context["rows"]
    assert [e.title for e, _ in rows] == ["Teaching squats"]
    rows = client.get(url, {"tab": "all", "date_from": "2026-01-01", "date_to": "2026-02-28",
                            }).context["rows"]
    assert [e.title for e, _ in rows] == ["Teaching squats"]
    rows = client.get(url, {"tab": "all", "sort": "earned_on"}).context["rows"]
    assert [e.title for e, _ in rows] == ["Before certification", "Teaching squats",
                                          "NASM summit"]


def test_bad_filters_are_explained_and_ignored(client, alice, log):
    client.force_login(alice.user)
    response = client.get(reverse("credits"), {"tab": "all", "date_from": "yesterday",
                                               "format": "juggling", "sort": "x"})
    body = response.content.decode()
    assert response.status_code == 200 and len(response.context["rows"]) == 3
    assert "Enter a date as MM/DD/YYYY." in body and "Select a valid choice" in body
    response = client.get(reverse("credits"), {"date_from": "2026-05-01",
                                               "date_to": "2026-01-01"})
    assert "The end date is before the start date" in response.content.decode()


def test_edit_keeps_history(client, alice, log):
    client.force_login(alice.user)
    e = log["nasm"]
    url = reverse("credit_edit", args=[e.pk])
    page = client.get(url).content.decode()
    assert 'value="NASM summit"' in page and 'value="1.5"' in page
    response = client.post(url, {
        "earned_on": "2026-03-03", "format": "conference", "amount": "2", "unit": "ceu",
        "credit_type": "cec", "awarded_by": "NASM", "course_number": "", "provider": "NASM",
        "provider_other": "", "title": "NASM summit", "grade": "", "published_on": ""})
    assert response.status_code == 302
    e.refresh_from_db()
    assert e.amount == Decimal("2")
    body = client.get(reverse("credit", args=[e.pk])).content.decode()
    assert "ACSM CPT: 20" in body
    assert "amount: 1.5 → 2" in body and "create by you" in body and "update by you" in body


def test_edit_with_bad_input_keeps_values(client, alice, log):
    client.force_login(alice.user)
    e = log["nasm"]
    body = client.post(reverse("credit_edit", args=[e.pk]), {
        "earned_on": "2026-03-03", "format": "conference", "amount": "-1", "unit": "ceu",
        "credit_type": "cec", "awarded_by": "NASM", "provider": "NASM",
        "title": "Renamed summit"}).content.decode()
    assert "cannot be negative" in body and 'value="Renamed summit"' in body
    e.refresh_from_db()
    assert e.amount == Decimal("1.5")


def test_delete_then_undo(client, alice, log):
    client.force_login(alice.user)
    e = log["nasm"]
    response = client.post(reverse("credit_delete", args=[e.pk]))
    assert response.status_code == 302 and response.url == reverse("credits")
    assert not CreditEntry.objects.filter(pk=e.pk).exists()
    body = client.get(reverse("credits")).content.decode()
    assert "Deleted “NASM summit”." in body
    assert reverse("credit_restore", args=[e.pk]) in body and ">Undo</button>" in body
    client.post(reverse("credit_restore", args=[e.pk]))
    assert CreditEntry.objects.filter(pk=e.pk).exists()
    body = client.get(reverse("credit", args=[e.pk])).content.decode()
    assert "delete by you" in body and "restore by you" in body


def test_delete_needs_post(client, alice, log):
    client.force_login(alice.user)
    assert client.get(reverse("credit_delete", args=[log["nasm"].pk])).status_code == 405


def test_bob_cannot_see_or_touch_alices_entries(client, bob, log):
    client.force_login(bob.user)
    e = log["nasm"]
    assert b"NASM summit" not in client.get(reverse("credits") + "?tab=all").content
    for name in ("credit", "credit_edit"):
        assert client.get(reverse(name, args=[e.pk])).status_code == 404
    assert client.post(reverse("credit_edit", args=[e.pk]), {}).status_code == 404
    assert client.post(reverse("credit_delete", args=[e.pk])).status_code == 404
    assert CreditEntry.objects.filter(pk=e.pk).exists()
    from recert.core.actions.history import do_soft_delete

    do_soft_delete(e, actor=None)
    assert client.post(reverse("credit_restore", args=[e.pk])).status_code == 404
    assert not CreditEntry.objects.filter(pk=e.pk).exists()


def test_csrf_is_required(alice, log):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice.user)
    assert client.post(reverse("credit_delete", args=[log["nasm"].pk])).status_code == 403


@pytest.mark.parametrize("n", [3, 30])
def test_credit_list_query_count_is_flat(client, alice, alice_cpt, n, django_assert_num_queries):
    for i in range(n):
        entry(alice, title=f"Course {i}", earned_on=date(2026, 1, 1 + i % 28))
    client.force_login(alice.user)
    client.get(reverse("credits"))
    # session, user, professional, the page of entries, the menu's consoles: what the page
    # shows of the evaluation, and each row, come from the cache (issue 16)
    with django_assert_num_queries(5):
        response = client.get(reverse("credits") + "?tab=all")
    assert len(response.context["rows"]) == n


@pytest.mark.usefixtures("media")
def test_a_certificate_opens_for_its_owner_only(client, alice, bob, log):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from recert.core.actions.credits import do_attach_document

    pdf = b"%PDF-1.4\n% NASM summit certificate\n"
    document = do_attach_document(
        log["nasm"], SimpleUploadedFile("summit.pdf", pdf, "application/pdf"), actor=alice.user)
    url = reverse("document", args=[log["nasm"].pk, document.pk])

    client.force_login(alice.user)
    assert url in client.get(reverse("credit", args=[log["nasm"].pk])).content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == pdf
    # Another entry's id in the URL does not reach this document.
    assert client.get(reverse("document", args=[log["teach"].pk, document.pk])).status_code == 404

    client.force_login(bob.user)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the log-in page


def test_the_filter_fields_kept_per_sort_are_those_a_fresh_render_gives(client, alice, log):
    """The filter fields with no filter set are rendered once per sort and process
    (issue 16): the page shows the same fields as when rendered for its own request, and a
    filter set (or a wrong value) is always rendered for the request."""
    from recert.front.views import credits

    def fields(query):
        body = client.get(reverse("credits") + query).content.decode()
        return body.split('class="filters"', 1)[1].split("</form>", 1)[0]

    client.force_login(alice.user)
    queries = ["", "?tab=all", "?tab=current&page=2", "?sort=title", "?tab=all&sort=title",
               "?format=webinar", "?sort=nonsense", "?date_from=13/45/2026"]
    fresh = {}
    for query in queries:
        credits._PLAIN_FILTERS.clear()
        fresh[query] = fields(query)
    for query in queries + queries[::-1]:
        assert fields(query) == fresh[query], query
    assert 'value="webinar" selected' in fresh["?format=webinar"]
    assert "Enter a date as MM/DD/YYYY." in fresh["?date_from=13/45/2026"]
