"""Report a credit: every bad input says what and keeps the rest; preview; catalog; documents."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recert.core.actions.certifications import do_create_certification
from recert.core.models import CreditEntry

pytestmark = pytest.mark.usefixtures("media")
TODAY = date(2026, 6, 1)
PDF = b"%PDF-1.4\n% a certificate\n"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def alice_ace(alice, programs, sam):
    return do_create_certification(alice, programs[("ACE", "PT")], date(2025, 3, 15), actor=sam)


def form(**overrides):
    data = {"earned_on": "2026-03-14", "format": "workshop", "amount": "8", "unit": "hour",
            "credit_type": "cec", "course_number": "",
            "provider": "NASM", "provider_other": "", "title": "Strength Summit", "grade": "",
            "published_on": ""}
    data.update(overrides)
    return data


def post(client, **overrides):
    return client.post(reverse("report"), form(**overrides))


def assert_kept(body: str, *values: str):
    for value in values:
        assert value in body, value


def test_report_creates_entry_and_shows_how_it_counts(client, alice, alice_cpt):
    client.force_login(alice.user)
    response = post(client)
    entry = CreditEntry.objects.get()
    assert response.status_code == 302 and response.url == reverse("credit", args=[entry.pk])
    assert (entry.amount, entry.unit, entry.provider) == (Decimal("8"), "hour", "NASM")
    page = client.get(response.url).content.decode()
    assert "ACSM CPT: 8" in page and "ACSM-CONV-HOUR" in page


def test_an_entry_before_certification_is_stored_and_explained(client, alice, alice_cpt):
    """Issue 10: the full history is kept; before, the form refused the date."""
    client.force_login(alice.user)
    response = post(client, earned_on="2024-10-01")
    entry = CreditEntry.objects.get()
    assert response.status_code == 302 and entry.earned_on == date(2024, 10, 1)
    page = client.get(response.url).content.decode()
    assert "10/01/2024 is outside every active cycle" in page
    assert "ACSM CPT 03/15/2025–12/31/2028" in page
    assert "ACSM CPT: 0" in page and "ACSM-DATE-1" in page
    listed = client.get(reverse("credits") + "?tab=all").content.decode()
    assert "Strength Summit" in listed and "not counted" in listed and "ACSM-DATE-1" in listed
    assert "Strength Summit" not in client.get(reverse("credits")).content.decode()


def test_an_entry_without_any_certification_is_kept(client, alice):
    client.force_login(alice.user)
    response = post(client, earned_on="2026-01-10")
    assert response.status_code == 302 and CreditEntry.objects.count() == 1
    assert "counts once you add the certification" in client.get(response.url).content.decode()


def test_future_date_refused(client, alice, alice_cpt):
    client.force_login(alice.user)
    body = post(client, earned_on="2026-07-01").content.decode()
    assert "07/01/2026 is in the future" in body


@pytest.mark.parametrize("amount, message", [
    ("-2", "cannot be negative"),
    ("eight", "Enter the number of credits as a number, like 1.5 or 10."),
])
def test_bad_amount(client, alice, alice_cpt, amount, message):
    client.force_login(alice.user)
    body = post(client, amount=amount).content.decode()
    assert message in body and not CreditEntry.objects.exists()
    assert_kept(body, 'value="Strength Summit"', 'value="2026-03-14"', f'value="{amount}"')
    assert 'id="id_amount_error"' in body


def test_other_provider_needs_its_name(client, alice, alice_cpt):
    client.force_login(alice.user)
    body = post(client, provider="__other__").content.decode()
    assert "Type the provider&#x27;s name: it is required when the provider is Other." in body
    assert_kept(body, 'value="Strength Summit"', '<option value="__other__" selected>')
    response = post(client, provider="__other__", provider_other="Local Gym Academy")
    assert response.status_code == 302
    assert CreditEntry.objects.get().provider == "Local Gym Academy"


def test_document_required_where_policy_says(client, alice, alice_cpt):
    client.force_login(alice.user)
    body = post(client, format="college_course", unit="semester_hour", amount="3",
                grade="B", provider="College or university").content.decode()
    assert "Upload a document for a college course entry (ACSM-DOC-1)" in body
    assert_kept(body, 'value="3"', '<option value="B" selected>')
    assert not CreditEntry.objects.exists()
    data = form(format="college_course", unit="semester_hour", amount="3", grade="B",
                provider="College or university")
    data["documents"] = SimpleUploadedFile("transcript.pdf", PDF, "application/pdf")
    response = client.post(reverse("report"), data)
    assert response.status_code == 302
    entry = CreditEntry.objects.get()
    assert entry.documents.get().content_type == "application/pdf"


def test_document_not_required_for_a_workshop(client, alice, alice_cpt):
    client.force_login(alice.user)
    assert post(client).status_code == 302


def test_bad_file_content_refused(client, alice, alice_cpt):
    client.force_login(alice.user)
    data = form(format="teaching", title="Teaching squats")
    data["documents"] = SimpleUploadedFile("cert.pdf", b"MZ not a pdf at all", "application/pdf")
    body = client.post(reverse("report"), data).content.decode()
    assert "cert.pdf: This file is not a PDF, JPEG or PNG document" in body
    assert_kept(body, 'value="Teaching squats"')
    assert not CreditEntry.objects.exists()


def test_malformed_ace_number_refused_with_format(client, alice, alice_cpt):
    client.force_login(alice.user)
    body = post(client, provider="ACE", course_number="AC1234").content.decode()
    assert "is not an ACE course number" in body and "CA23456 or CEP123456" in body
    assert_kept(body, 'value="AC1234"', 'value="Strength Summit"')
    # Another organization's own numbering is not held to ACE's format.
    assert post(client, course_number="NASM-77").status_code == 302


def test_college_grade_and_selftest_date_are_asked_for(client, alice, alice_cpt):
    client.force_login(alice.user)
    body = post(client, format="college_course", unit="semester_hour").content.decode()
    assert "Choose the grade on your transcript" in body
    body = post(client, format="self_test", unit="item", amount="1").content.decode()
    assert "Enter the issue&#x27;s publication date" in body


def test_preview_three_semester_hours_b(client, alice, alice_cpt, alice_ace):
    client.force_login(alice.user)
    response = client.post(reverse("credit_preview"), form(
        format="college_course", unit="semester_hour", amount="3", grade="B",
        provider="College or university"))
    body = response.content.decode()
    assert "ACSM CPT: <span class=\"preview-counted\">30</span> counted" in body
    assert "ACE PT: <span class=\"preview-counted\">3</span> counted" in body
    assert "ACSM-COLLEGE-1" in body and "ACE-COLLEGE-1" in body
    assert not CreditEntry.objects.exists()


def test_preview_teaching_over_the_cap(client, alice, alice_cpt):
    client.force_login(alice.user)
    body = client.post(reverse("credit_preview"), form(
        format="teaching", amount="8", unit="hour")).content.decode()
    assert '<span class="preview-counted">5</span>' in body
    assert "capped: " in body and "at most 5" in body and "(ACSM-CAP-YEAR)" in body


def test_preview_with_too_little_typed(client, alice, alice_cpt):
    client.force_login(alice.user)
    body = client.post(reverse("credit_preview"), form(amount="")).content.decode()
    assert "Enter the date, format, number of credits and unit" in body


def test_catalog_lookup_fills_the_course(client, alice, alice_cpt, alice_ace):
    client.force_login(alice.user)
    response = client.post(reverse("course_lookup"), form(course_number="cep123456",
                                                          title="", amount=""))
    body = response.content.decode()
    assert response["HX-Trigger-After-Settle"] == "recert:filled"
    assert "Functional Training for Older Adults" in body and 'hx-swap-oob="true"' in body
    assert 'value="0.7"' in body and '<option value="ACE" selected>' in body
    unknown = client.post(reverse("course_lookup"), form(course_number="CA99999")).content
    assert b"not in the course catalog" in unknown and b"CA23456 or CEP123456" in unknown


def test_catalog_lookup_without_javascript(client, alice, alice_cpt):
    client.force_login(alice.user)
    body = client.post(reverse("report"), form(course_number="CA23456", title="",
                                               lookup="1")).content.decode()
    assert 'value="Kettlebell Foundations"' in body and 'value="Fitness Education Partners"' in body
    assert not CreditEntry.objects.exists()


def test_ace_course_by_number_counts_for_both(client, alice, alice_cpt, alice_ace):
    client.force_login(alice.user)
    post(client, course_number="CEP123456", provider="ACE", amount="0.7",
         unit="cec", format="online_course", title="Functional Training for Older Adults")
    entry = CreditEntry.objects.get()
    body = client.get(reverse("credit", args=[entry.pk])).content.decode()
    assert "ACSM CPT: 7" in body and "ACE PT: 0.7" in body and "ACE-COURSE-1" in body


def test_no_certification_yet(client, alice, programs):
    client.force_login(alice.user)
    body = client.get(reverse("report")).content.decode()
    assert "You have no certification yet" in body and "Add a certification" in body


def test_staff_without_profile_gets_404(client, sam):
    client.force_login(sam)
    assert client.get(reverse("report")).status_code == 404


def test_anonymous_is_sent_to_login(client, db):
    for name in ("report", "credits", "certifications"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.post(reverse("credit_preview")).status_code == 302


@pytest.mark.parametrize("amount, message", [
    ("NaN", "Enter the number of credits as a number, like 1.5 or 10."),
    ("sNaN", "Enter the number of credits as a number, like 1.5 or 10."),
    ("Infinity", "Enter the number of credits as a number, like 1.5 or 10."),
    ("-Infinity", "Enter the number of credits as a number, like 1.5 or 10."),
    ("1e999999", "Enter at most 6 digits before the decimal point."),
    ("1234567", "Enter at most 6 digits before the decimal point."),
    ("0.1234", "Enter at most 3 decimal places, like 0.125."),
    ("-1", "cannot be negative"),
])
def test_preview_refuses_what_the_form_refuses(client, alice, alice_cpt, amount, message):
    client.force_login(alice.user)
    response = client.post(reverse("credit_preview"), form(amount=amount))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Number of credits: " in body and message in body
    assert "preview-counted" not in body
    # The form says the same when it is submitted.
    assert message in post(client, amount=amount).content.decode()
    assert not CreditEntry.objects.exists()


def test_preview_accepts_the_largest_amount(client, alice, alice_cpt):
    client.force_login(alice.user)
    body = client.post(reverse("credit_preview"), form(amount="999999.125")).content.decode()
    assert "Number of credits:" not in body and "preview-counted" in body


class FakeBody:
    """A body policy with the given parameters (for checking that words come from policy)."""

    def __init__(self, code, **params):
        self.code, self.name, self.params = code, code, params

    def param(self, name, on, default=None):
        from types import SimpleNamespace

        value = self.params.get(name)
        # Policy values are typed objects read by attribute (recert/rules/parameters.py).
        return SimpleNamespace(**value) if value is not None else default


def form_errors(bodies, **overrides):
    from recert.core import policies as readers
    from recert.front.forms import CreditForm
    from recert.rules import load_policies

    shipped = load_policies()
    policies = type(shipped)({b.code: b for b in bodies}, shipped.organizations,
                             shipped.listed_providers)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(readers, "current_policies", lambda: policies)
        bound = CreditForm(form(**overrides), cycles=[("X", date(2025, 1, 1), date(2027, 1, 1))],
                           bodies=[b.code for b in bodies])
        bound.is_valid()
    return bound.errors


def test_college_grade_and_self_test_words_come_from_the_policy(db):
    bodies = [FakeBody("AAA", **{"formats.college_course": {"min_grade": "B"},
                                 "formats.self_test": {"expires_after_months": 6}})]
    errors = form_errors(bodies, format="college_course", unit="semester_hour")
    assert errors["grade"] == ["Choose the grade on your transcript (A+ to F): college courses "
                               "count with a grade of B or better."]
    errors = form_errors(bodies, format="self_test", unit="item")
    assert errors["published_on"] == ["Enter the issue's publication date: a self-test expires "
                                       "6 months after it."]
    bodies.append(FakeBody("BBB", **{"formats.college_course": {"min_grade": "C-"}}))
    errors = form_errors(bodies, format="college_course", unit="semester_hour")
    assert "B or better (AAA); C- or better (BBB)" in errors["grade"][0]
    # A body without such a rule adds nothing to the words.
    errors = form_errors(bodies[1:], format="self_test", unit="item")
    assert errors["published_on"] == ["Enter the issue's publication date."]


def test_shipped_policies_give_c_or_better_and_twelve_months(client, alice, alice_cpt):
    client.force_login(alice.user)
    body = post(client, format="college_course", unit="semester_hour").content.decode()
    assert "count with a grade of C or better" in body
    body = post(client, format="self_test", unit="item", amount="1").content.decode()
    assert "a self-test expires 12 months after it" in body


def test_grade_choices_are_the_policy_grades(db):
    from recert.front.forms import CreditForm
    from recert.rules.policy import GRADES

    assert [v for v, _ in CreditForm.base_fields["grade"].choices][1:] == list(GRADES)


def test_no_ace_number_format_written_in_the_front_code():
    from pathlib import Path

    import recert.front

    root = Path(recert.front.__file__).parent
    templates = root.parent / "templates" / "front"
    for path in [*root.rglob("*.py"), *templates.rglob("*.html")]:
        text = path.read_text()
        assert "CEP, CP, CA, CS or CL" not in text, path
        assert '"CE", "CP"' not in text, path


def test_lookup_recognises_ace_numbers_by_the_policy_pattern(client, alice, alice_cpt):
    client.force_login(alice.user)
    # Fits the pattern, not in the catalog.
    body = client.post(reverse("course_lookup"), form(course_number="CL99999")).content
    assert b"CL99999 is not in the course catalog" in body
    # Starts like an ACE number but does not fit its pattern (CE without P).
    body = client.post(reverse("course_lookup"), form(course_number="CE12345")).content
    assert b"CE12345 is not an ACE course number in the catalog" in body


def test_lookup_without_an_ace_policy(client, alice, alice_cpt, monkeypatch):
    """With no body approving courses by number, a number is simply not in the catalog."""
    from recert.core import policies as readers
    from recert.rules import load_policies

    policies = load_policies()
    without_ace = type(policies)({k: v for k, v in policies.bodies.items() if k != "ACE"},
                                 policies.organizations)
    monkeypatch.setattr(readers, "current_policies", lambda: without_ace)
    client.force_login(alice.user)
    response = client.post(reverse("course_lookup"), form(course_number="CA99999"))
    assert response.status_code == 200
    assert b"CA99999 is not in the course catalog" in response.content
    assert b"ACE" not in response.content


def test_a_failed_report_leaves_no_uploaded_file(client, alice, alice_cpt, media, monkeypatch):
    from recert.core.actions import credits

    real = credits.history.record

    def fail_on_attach(action, *args, **kwargs):
        if action == "attach_document":
            raise RuntimeError("history unavailable")
        return real(action, *args, **kwargs)

    monkeypatch.setattr(credits.history, "record", fail_on_attach)
    client.force_login(alice.user)
    data = form(format="college_course", unit="semester_hour", amount="3", grade="B",
                provider="College or university")
    data["documents"] = [SimpleUploadedFile("t1.pdf", PDF), SimpleUploadedFile("t2.pdf", PDF)]
    with pytest.raises(RuntimeError):
        client.post(reverse("report"), data)
    assert not CreditEntry.objects.exists()
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


@pytest.mark.parametrize("field, words", [
    ("unit", "Choose the unit printed on the certificate"),
    ("credit_type", "Choose the credit type (CEC, CME, credit hour, or none)."),
    ("provider", "Choose the provider/organization on the certificate"),
])
def test_missing_choices_say_what_to_choose(client, alice, alice_cpt, field, words):
    client.force_login(alice.user)
    body = post(client, **{field: ""}).content.decode()
    assert words in body and f'id="id_{field}_error"' in body
    assert "This field is required" not in body
    body = post(client, **{field: "bogus"}).content.decode()
    assert "Choose one of the listed" in body and "Select a valid choice" not in body


@pytest.fixture
def lapsed_course(db):
    from recert.core.models import CertifyingBody, Course, Provider

    return Course.objects.create(
        body=CertifyingBody.objects.get(code="ACE"), course_number="CA11111",
        title="Old Kettlebell Course", provider=Provider.objects.get(name="ACE"),
        credits=Decimal("0.5"), status=Course.APPROVED,
        format="workshop", approved_from=date(2020, 1, 1), approved_until=date(2026, 1, 31))


def test_catalog_fills_only_a_course_approved_on_the_date_earned(client, alice, alice_cpt,
                                                                 lapsed_course):
    client.force_login(alice.user)
    lookup = reverse("course_lookup")
    response = client.post(lookup, form(course_number="CA11111", earned_on="2026-03-14"))
    body = response.content.decode()
    assert "The approval of CA11111 (Old Kettlebell Course) lapsed on 01/31/2026" in body
    assert "hx-swap-oob" not in body and "HX-Trigger-After-Settle" not in response
    response = client.post(lookup, form(course_number="CA11111", earned_on="2026-01-31"))
    assert "Old Kettlebell Course" in response.content.decode() and "hx-swap-oob" in (
        response.content.decode())
    # Not approved yet on that date (CS45678 is approved from 05/01/2026).
    body = client.post(lookup, form(course_number="CS45678", earned_on="2026-03-14")).content
    assert b"CS45678 (ACE Fitness Summit 2026) was approved from 05/01/2026" in body
    # No date typed yet: the course is filled in.
    body = client.post(lookup, form(course_number="CA11111", earned_on="")).content
    assert b"hx-swap-oob" in body
    # Without JavaScript too.
    body = client.post(reverse("report"), form(course_number="CA11111", title="",
                                               lookup="1")).content.decode()
    assert "lapsed on 01/31/2026" in body and 'value="Old Kettlebell Course"' not in body


def test_lookup_does_not_evaluate_the_standing(client, alice, alice_cpt, alice_ace,
                                              django_assert_num_queries, monkeypatch):
    import importlib

    report_views = importlib.import_module("recert.front.views.report")

    def refuse(*args, **kwargs):
        raise AssertionError("the lookup evaluated the standing")

    monkeypatch.setattr(report_views, "evaluated_of", refuse)
    client.force_login(alice.user)
    data = form(course_number="CEP123456", title="", amount="")
    client.post(reverse("course_lookup"), data)  # warm up (policies, templates)
    # session, user, professional, course (with its body)
    with django_assert_num_queries(4):
        response = client.post(reverse("course_lookup"), data)
    assert b"Functional Training for Older Adults" in response.content
