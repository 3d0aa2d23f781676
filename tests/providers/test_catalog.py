"""Providers and their catalog (issue 14): organizations approved by bodies, staff invited by
claim link, courses submitted and approved by the body's education staff, events."""

from __future__ import annotations

from datetime import UTC

import pytest
from django.core import mail

from recert.core.models import Course, History, Provider, ProviderMembership
from recert.providers.models import Event

pytestmark = pytest.mark.django_db


def test_migrated_catalog_courses_point_at_provider_organizations():
    course = Course.objects.get(course_number="CA23456")
    assert course.provider.name == "Fitness Education Partners"
    assert course.status == Course.APPROVED
    # One organization per distinct name.
    assert Provider.objects.filter(name="ACE").count() == 1
    assert Course.objects.filter(provider__name="ACE").count() >= 4


def test_education_staff_add_a_provider_and_invite_its_staff_by_claim_link(
        client, erin, bodies, django_capture_on_commit_callbacks):
    client.force_login(erin)
    response = client.post("/staff/education/providers/new/", {
        "name": "Move Academy", "city": "Austin", "postal_code": "73301",
        "body": bodies["ACE"].pk, "approved_from": "2026-01-01", "approved_until": ""})
    provider = Provider.objects.get(name="Move Academy")
    assert response.status_code == 302
    assert provider.approvals.get().body.code == "ACE"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/staff/education/providers/{provider.pk}/", {
            "do": "invite", "invite_email": "Mia@Move.example", "invite_name": "Mia Mover"})
    assert response.status_code == 200
    membership = ProviderMembership.objects.get(provider=provider)
    user = membership.user
    # Never a password derived from their data: none at all until they claim the link.
    assert user.email == "mia@move.example" and not user.has_usable_password()
    link = response.context["link"]
    assert f"/accounts/claim/{user.pk}/" in link
    assert len(mail.outbox) == 1 and link.split("testserver")[1] in mail.outbox[0].body
    assert History.objects.of(membership).get().action == History.Action.INVITE
    client.logout()
    path = link.split("testserver")[1]
    response = client.post(path, {"new_password1": "a-long-fresh-Passw0rd",
                                  "new_password2": "a-long-fresh-Passw0rd"})
    assert response.status_code == 302 and response.url == "/provider/"
    # Provider accounts set up a second factor before their pages (issue 11 item 6).
    assert client.get("/provider/").url.startswith("/accounts/second-factor/setup/")


def test_a_provider_lists_a_course_submits_it_and_ace_staff_approve_it(
        client, pat, erin, fit_ed, bodies, django_capture_on_commit_callbacks):
    client.force_login(pat)
    response = client.post(f"/provider/{fit_ed.pk}/courses/new/", {
        "title": "Mobility Lab", "description": "Hips and shoulders.", "format": "workshop",
        "body": bodies["ACE"].pk, "credits": "0.6", "course_number": "",
        "credits_ACSM": "6"})
    course = Course.objects.get(title="Mobility Lab")
    assert response.status_code == 302 and course.status == Course.DRAFT
    assert course.other_credits.get().credits == 6
    client.post(f"/provider/courses/{course.pk}/submit/")
    course.refresh_from_db()
    assert course.status == Course.SUBMITTED
    client.force_login(erin)
    page = client.get("/staff/education/")
    assert "Mobility Lab" in page.content.decode()
    # ACE-COURSE-1: the number issued must be in ACE's format.
    response = client.post(f"/staff/education/courses/{course.pk}/", {
        "do": "approve", "course_number": "XY123", "approved_from": "2026-01-01"})
    assert response.status_code == 200
    assert "is not a ACE course number" in response.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/staff/education/courses/{course.pk}/", {
            "do": "approve", "course_number": "cl12345", "approved_from": "2026-01-01"})
    assert response.status_code == 302
    course.refresh_from_db()
    assert (course.status, course.course_number) == (Course.APPROVED, "CL12345")
    assert "approved by ACE" in mail.outbox[0].subject
    assert [h.action for h in History.objects.of(course)] == ["create", "submit", "approve"]


def test_the_report_forms_lookup_reads_approved_courses_only(client, alice, ace_course,
                                                             pat, fit_ed, bodies):
    from recert.providers.actions import do_save_course

    do_save_course(fit_ed, actor=pat, body=bodies["ACE"], title="Draft", format="workshop",
                   credits=1, course_number="CA99999")
    client.force_login(alice.user)
    found = client.post("/credits/lookup/", {"course_number": "ca54321"}).content.decode()
    assert "Kettlebell Flow" in found and "Fit Ed" in found
    draft = client.post("/credits/lookup/", {"course_number": "CA99999"}).content.decode()
    assert "Draft" not in draft


def test_staff_send_a_course_back_with_a_reason(client, pat, erin, fit_ed, bodies):
    from recert.providers.actions import do_save_course, do_submit_course

    course = do_save_course(fit_ed, actor=pat, body=bodies["ACE"], title="Hype Class",
                            format="course", credits=1, course_number="")
    do_submit_course(course, actor=pat)
    client.force_login(erin)
    response = client.post(f"/staff/education/courses/{course.pk}/",
                           {"do": "send_back", "reason": ""})
    assert "This field is required" in response.content.decode()
    client.post(f"/staff/education/courses/{course.pk}/",
                {"do": "send_back", "reason": "Add the agenda with the hours."})
    client.force_login(pat)
    page = client.get(f"/provider/courses/{course.pk}/").content.decode()
    assert "Add the agenda with the hours." in page
    course.refresh_from_db()
    assert course.status == Course.RETURNED and course.editable_by_provider


def test_a_course_for_a_body_without_course_numbers_is_listed_under_the_approval(
        pat, fit_ed, bodies):
    from recert.providers.actions import do_save_course, do_submit_course

    course = do_save_course(fit_ed, actor=pat, body=bodies["ACSM"], title="Strength Day",
                            format="workshop", credits=8, course_number="")
    course = do_submit_course(course, actor=pat)
    assert course.status == Course.APPROVED and course.approved_from is not None


def test_a_course_number_in_the_wrong_format_is_refused_naming_the_field(
        client, pat, fit_ed, bodies):
    client.force_login(pat)
    response = client.post(f"/provider/{fit_ed.pk}/courses/new/", {
        "title": "Bad Number", "format": "workshop", "body": bodies["ACE"].pk,
        "credits": "0.5", "course_number": "AB1234"})
    assert response.status_code == 200
    assert response.context["form"].errors["course_number"]
    assert not Course.objects.filter(title="Bad Number").exists()


def test_events_with_time_zone_place_capacity_and_link(client, pat, ace_course):
    client.force_login(pat)
    data = {"delivery": "in_person", "starts_at": "2027-04-10T09:00",
            "ends_at": "2027-04-10T12:00", "time_zone": "America/Denver", "venue": "Gym",
            "address": "1 Main St", "city": "Boulder", "postal_code": "80302",
            "capacity": "15", "registration_url": "https://example.org/r"}
    assert client.post(f"/provider/courses/{ace_course.pk}/events/new/",
                       {**data, "time_zone": "Mars/Olympus"}).status_code == 200
    bad = client.post(f"/provider/courses/{ace_course.pk}/events/new/",
                      {**data, "ends_at": "2027-04-10T08:00"})
    assert bad.context["form"].errors["ends_at"]
    nowhere = client.post(f"/provider/courses/{ace_course.pk}/events/new/",
                          {**data, "city": "", "postal_code": ""})
    assert nowhere.context["form"].errors["city"]
    assert client.post(f"/provider/courses/{ace_course.pk}/events/new/",
                       data).status_code == 302
    event = Event.objects.get(course=ace_course)
    # 09:00 in Denver (MDT in April) is 15:00 UTC.
    assert event.starts_at.astimezone(UTC).hour == 15
    assert "Kettlebell Flow" in event.search_text and "Boulder" in event.search_text


def test_provider_staff_see_only_their_organization(client, pat, quinn, ace_course, event,
                                                    fit_ed, alice, oscar, vic):
    client.force_login(quinn)
    assert client.get(f"/provider/courses/{ace_course.pk}/").status_code == 404
    assert client.post(f"/provider/courses/{ace_course.pk}/submit/").status_code == 404
    assert client.get(f"/provider/events/{event.pk}/").status_code == 404
    assert client.post(f"/provider/events/{event.pk}/", {"delete": "1"}).status_code == 404
    assert client.get(f"/provider/{fit_ed.pk}/courses/new/").status_code == 404
    assert "Kettlebell Flow" not in client.get("/provider/").content.decode()
    # A professional, staff and the anonymous are not provider staff.
    for user in (alice.user, oscar, vic):
        client.force_login(user)
        assert client.get("/provider/").status_code == 403
        assert client.get(f"/provider/courses/{ace_course.pk}/").status_code == 403
    client.logout()
    assert client.get(f"/provider/courses/{ace_course.pk}/").status_code == 302
    assert Event.objects.filter(pk=event.pk).exists()


def test_education_pages_check_the_role_and_the_body(client, pat, ace_course, oscar, vic,
                                                     alice, fit_ed):
    client.force_login(oscar)  # ACSM education: not ACE's course
    assert client.get(f"/staff/education/courses/{ace_course.pk}/").status_code == 404
    client.force_login(vic)  # ACE viewer: no education role
    assert client.get("/staff/education/").status_code == 403
    assert client.get(f"/staff/education/courses/{ace_course.pk}/").status_code == 403
    for user in (alice.user, pat):
        client.force_login(user)
        assert client.get("/staff/education/").status_code == 403
        assert client.get(f"/staff/education/providers/{fit_ed.pk}/").status_code == 403
    client.logout()
    assert client.get("/staff/education/").status_code == 302
