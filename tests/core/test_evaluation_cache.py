"""The cached evaluation (issue 16) is never stale: every kind of change the engine reads
moves the professional's evaluation version, and the next read evaluates again."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from recert.core.actions.certifications import do_create_certification, do_update_certification
from recert.core.actions.credits import (
    do_attach_document,
    do_correct_credit_entry,
    do_create_credit_entry,
    do_decide_credit_entry,
    do_delete_credit_entry,
    do_remove_document,
    do_update_credit_entry,
)
from recert.core.actions.history import do_restore, do_soft_delete
from recert.core.actions.professionals import do_set_cpr_aed, do_update_professional
from recert.core.evaluation import evaluate_professional, evaluated_of
from recert.core.models import CertifyingBody, Professional
from recert.renewals.actions import do_record_exam_pass
from recert.renewals.models import ClaimedCredit, Renewal

TODAY = date(2026, 6, 1)
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def course(alice, alice_cpt):
    return do_create_credit_entry(alice, actor=alice.user, earned_on=date(2026, 2, 1),
                                  title="Strength course", format="course", amount=Decimal("5"),
                                  unit="hour")


def _fresh(alice):
    return Professional.objects.get(pk=alice.pk)


def _cached(alice):
    return evaluated_of(_fresh(alice), TODAY)[1]


# The pages that show cached parts of the evaluation (issue 16).
PAGES = ["/", "/credits/", "/credits/?tab=all"]


def _pages(alice) -> dict[str, str]:
    """What each page shows in its <main> (the header's CSRF token differs per request)."""
    client = Client()
    client.force_login(alice.user)
    shown = {}
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        shown[url] = response.content.decode().split("<main", 1)[1]
    return shown


def check_not_stale(alice, change, *, must_differ=True):
    """Reads (and caches) the evaluation and the pages, makes the change, reads again: the
    second read is what the engine says now, from the rows (never the cached earlier one),
    and each page shows exactly what it shows when built from nothing (an empty cache)."""
    before = _cached(alice)
    assert _cached(alice) is not None  # now from the cache
    _pages(alice), _pages(alice)  # the pages' cached parts too
    version = _fresh(alice).evaluation_version
    change()
    after = _cached(alice)
    assert _fresh(alice).evaluation_version > version
    assert after.evaluation == evaluate_professional(_fresh(alice), TODAY)
    if must_differ:
        assert after.evaluation != before.evaluation
    shown = _pages(alice)
    cache.clear()
    assert shown == _pages(alice)


def test_a_second_read_comes_from_the_cache(alice, course, django_assert_num_queries):
    _cached(alice)
    # professional (fresh), certifications with the version, their open cycles: no credits
    with django_assert_num_queries(3):
        _cached(alice)


def test_new_credit(alice, course):
    check_not_stale(alice, lambda: do_create_credit_entry(
        alice, actor=alice.user, earned_on=date(2026, 3, 1), title="Webinar", format="webinar",
        amount=Decimal("2"), unit="hour"))


def test_changed_credit(alice, course):
    check_not_stale(alice, lambda: do_update_credit_entry(course, actor=alice.user,
                                                          amount=Decimal("7")))


def test_corrected_credit(alice, course, sam):
    check_not_stale(alice, lambda: do_correct_credit_entry(
        course, actor=sam, reason="from the certificate", amount=Decimal("3")))


def test_deleted_and_restored_credit(alice, course):
    check_not_stale(alice, lambda: do_delete_credit_entry(course, actor=alice.user))
    check_not_stale(alice, lambda: do_restore(course, actor=alice.user))


def test_decision_on_a_credit(alice, course, sam):
    """REVIEW-1: a reviewer's rejection for ACSM."""
    acsm = CertifyingBody.objects.get(code="ACSM")
    check_not_stale(alice, lambda: do_decide_credit_entry(course, acsm, "rejected", actor=sam,
                                                          reason="not relevant"))


@pytest.mark.usefixtures("media")
def test_documents(alice, course):
    """Attaching or removing a certificate changes no number today, but the version moves
    (what the engine may read of documents is never served from before the change)."""
    check_not_stale(alice, lambda: do_attach_document(
        course, SimpleUploadedFile("c.pdf", PDF, content_type="application/pdf"),
        actor=alice.user), must_differ=False)
    document = course.documents.get()
    check_not_stale(alice, lambda: do_remove_document(document, actor=alice.user),
                    must_differ=False)


def test_certifications(alice, course, programs, sam, alice_cpt):
    check_not_stale(alice, lambda: do_create_certification(
        alice, programs[("ACE", "PT")], date(2025, 1, 10), actor=sam))
    check_not_stale(alice, lambda: do_update_certification(
        alice_cpt, actor=sam, certified_on=date(2022, 3, 15)))
    check_not_stale(alice, lambda: do_soft_delete(alice_cpt, actor=sam))


def test_cpr_aed(alice, course, sam):
    """ACSM-REQ-CPR: an expired card is a blocker."""
    check_not_stale(alice, lambda: do_set_cpr_aed(alice, actor=sam,
                                                  valid_until=date(2026, 1, 1)))


def test_a_new_cycle(alice, course, alice_cpt, sam):
    """ACSM-EXAM-1: a passed exam closes the cycle and opens the next."""
    check_not_stale(alice, lambda: do_record_exam_pass(alice_cpt, date(2029, 2, 1), actor=sam))


def test_claims_of_a_renewal(alice, course, sam):
    """ACSM-GRACE-2 reads the claims of completed renewals: a claim or a renewal's status
    moves the version even when written without an action."""
    renewal = Renewal.objects.create(
        professional=alice, body=CertifyingBody.objects.get(code="ACSM"),
        cycle_end=date(2025, 12, 31), required=Decimal("45"), cecs_through_body=Decimal("0"),
        cecs_other=Decimal("45"), acknowledged_at="2026-01-01T00:00Z", requested_on=TODAY)
    check_not_stale(alice, lambda: ClaimedCredit.objects.create(
        renewal=renewal, credit_entry=course, counted=Decimal("5")), must_differ=False)

    def complete():
        renewal.status = Renewal.COMPLETED
        renewal.save()
    check_not_stale(alice, complete, must_differ=False)


def test_other_changes_keep_the_cache(alice, course, django_assert_num_queries):
    """Contact details are not engine input, and saving them never writes the version
    back (an instance loaded before a change must not undo it)."""
    stale_instance = _fresh(alice)
    do_create_credit_entry(alice, actor=alice.user, earned_on=date(2026, 3, 1),
                           title="Webinar", format="webinar", amount=Decimal("2"), unit="hour")
    version = _fresh(alice).evaluation_version
    do_update_professional(stale_instance, actor=alice.user, city="Denver")
    assert _fresh(alice).evaluation_version == version
    assert _fresh(alice).city == "Denver"


def test_changed_policies(alice, course, monkeypatch):
    """Other policy files (a deploy) or a value staff recorded: the key changes with the
    digest of the policies in force."""
    import recert.core.evaluation as evaluation
    from recert.core import policies

    first = _cached(alice)
    monkeypatch.setattr(policies._loaded, "fingerprint", "other")
    calls = []
    real = evaluation.credit_inputs
    monkeypatch.setattr(evaluation, "credit_inputs", lambda p: calls.append(p) or real(p))
    assert _cached(alice) == first
    assert calls, "evaluated again under the new policies"


def test_the_pages_show_a_change_at_once(client, alice, course):
    client.force_login(alice.user)
    assert "Webinar on aging" not in client.get(reverse("credits")).content.decode()
    before = _earned(client.get(reverse("dashboard")))
    client.post(reverse("report"), {
        "earned_on": "2026-03-14", "format": "webinar", "amount": "3", "unit": "hour",
        "credit_type": "cec", "course_number": "", "provider": "NASM", "provider_other": "",
        "title": "Webinar on aging", "grade": "", "published_on": ""})
    assert "Webinar on aging" in client.get(reverse("credits")).content.decode()
    assert _earned(client.get(reverse("dashboard"))) == before + 3


def _earned(response) -> Decimal:
    """The CECs earned that the dashboard's first card shows."""
    import re

    return Decimal(re.search(r"CECs earned for [^:]+: ([\d.]+) of", response.content.decode())[1])


def test_a_recorded_policy_value_shows_on_the_next_page(alice, course, sam):
    """A fee staff recorded (a dated policy value, in force today) is on the dashboard's
    card at once, though nothing of the person changed."""
    from recert.core.actions.policies import do_set_policy_value

    client = Client()
    client.force_login(alice.user)
    assert "$999.00" not in client.get(reverse("dashboard")).content.decode()
    do_set_policy_value(CertifyingBody.objects.get(code="ACSM"), "programs.CPT.fee", "999",
                        TODAY, "board decision", "fee schedule 2026, section 2", actor=sam,
                        today=TODAY)
    assert "$999.00" in client.get(reverse("dashboard")).content.decode()


def _renewal(alice):
    return Renewal.objects.create(
        professional=alice, body=CertifyingBody.objects.get(code="ACSM"),
        cycle_end=date(2025, 12, 31), required=Decimal("45"), cecs_through_body=Decimal("0"),
        cecs_other=Decimal("45"), acknowledged_at="2026-01-01T00:00Z", requested_on=TODAY)


def test_invoices_audit_cases_and_petitions_show_on_the_next_dashboard(alice, course, sam):
    """Not engine input, but the dashboard shows them from its part cached per version:
    a new or changed invoice, audit case or petition moves the version too (written here
    without actions, as any code path might)."""
    from recert.audits.models import Audit, AuditCase
    from recert.providers.models import Petition
    from recert.renewals.models import Invoice

    renewal = _renewal(alice)
    invoice = Invoice(number="INV-77", renewal=renewal, professional=alice, issued_on=TODAY,
                      total=Decimal("45"))
    check_not_stale(alice, invoice.save, must_differ=False)
    assert "Invoice INV-77" in _pages(alice)["/"]

    def paid():
        invoice.status = Invoice.PAID
        invoice.save()
    check_not_stale(alice, paid, must_differ=False)
    assert "Invoice INV-77" not in _pages(alice)["/"]

    audit = Audit.objects.create(body=renewal.body, year=2026, seed="s", rate=Decimal("0.1"),
                                 response_days=30, replacement_days=30, inactive_months=6,
                                 rule="r", notice_on=TODAY)
    case = AuditCase(audit=audit, renewal=renewal, professional=alice, stratum="all",
                     notified_on=TODAY, due_on=date(2026, 7, 1))
    check_not_stale(alice, case.save, must_differ=False)
    assert "proof due 07/01/2026" in _pages(alice)["/"]
    case.due_on = date(2026, 7, 15)
    check_not_stale(alice, case.save, must_differ=False)
    assert "proof due 07/15/2026" in _pages(alice)["/"]

    petition = Petition(credit_entry=course, body=renewal.body, professional=alice,
                        description="agenda", hours=Decimal("5"))
    check_not_stale(alice, petition.save, must_differ=False)
    assert "petition for" in _pages(alice)["/"]
    check_not_stale(alice, petition.delete, must_differ=False)
    assert "petition for" not in _pages(alice)["/"]


def test_other_code_never_reads_what_the_old_built(alice, course, monkeypatch):
    """A deploy (other code or templates): the keys change with the code's digest, so the
    evaluation and the pages' HTML are built again by the new code."""
    import recert.core.evaluation as evaluation

    first = _cached(alice)
    before = _pages(alice)
    calls = []
    real = evaluation.credit_inputs
    monkeypatch.setattr(evaluation, "credit_inputs", lambda p: calls.append(p) or real(p))
    monkeypatch.setattr(evaluation, "code_digest", lambda: "other")
    assert _cached(alice) == first and calls, "evaluated again by the new code"
    assert _pages(alice) == before
    assert evaluation.page_key(_fresh(alice), TODAY, "dashboard").endswith(":other:dashboard")
