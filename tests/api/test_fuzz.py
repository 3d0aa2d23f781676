"""Schemathesis against the live OpenAPI document (issue 15): every operation, with inputs
generated from the document and a valid professional's read-and-write token (the provider
routes again with a provider's token), through the WSGI app: never a 5xx, and every response
(status, content type, body) is what the document says. Marked `fuzz`: CI runs it in its own
step (`pytest -m fuzz tests/api`); a plain `pytest` skips it. FUZZ_EXAMPLES (default 25)
bounds the examples per operation."""

import os
from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from recert.api.actions import do_create_access_token
from recert.providers.actions import do_post_roster
from tests.factories import log
from tests.providers.conftest import *  # noqa: F403 (Fit Ed, pat and the course)

pytestmark = pytest.mark.fuzz
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))


@pytest.fixture
def api_schema(db):
    """The live document, read from the WSGI app. As Django's test client does, requests do
    not close the test's database connection (it holds the test's transaction)."""
    from django.core import signals
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def alice_world(alice, alice_cpt, media, settings):
    """Alice's token and objects: ids in generated paths point at them half the time."""
    settings.API_RATE_LIMIT = 1_000_000
    _, raw = do_create_access_token(alice.user, name="fuzz", scope="write",
                                    expires_at=None, actor=alice.user)
    entry = log(alice, date(2026, 2, 1), "2")
    return {"raw": raw, "entry_id": entry.pk, "certification_id": alice_cpt.pk}


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_every_operation_keeps_to_the_document(case, alice_world):
    for name in ("entry_id", "certification_id"):
        value = (case.path_parameters or {}).get(name)
        if isinstance(value, int) and value % 2:
            case.path_parameters[name] = alice_world[name]
    case.call_and_validate(headers={"Authorization": f"Bearer {alice_world['raw']}"},
                           checks=CHECKS)


@pytest.fixture
def provider_world(fit_ed, pat, ace_course, settings):
    """A provider token of Fit Ed, its approved course and a roster posted for it."""
    from tests.api.conftest import make_token

    settings.API_RATE_LIMIT = 1_000_000
    _, raw = make_token(pat, kind="provider", provider=fit_ed, name="fuzz")
    roster = do_post_roster(ace_course, [{"email": "x@example.com",
                                          "completed_on": "2026-11-20"}], actor=pat,
                            name="fuzz", today=date(2026, 12, 1))
    return {"raw": raw, "provider_id": fit_ed.pk, "course_id": ace_course.pk,
            "roster_id": roster.pk}


@schema.include(path_regex="/providers").parametrize()
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_the_provider_routes_keep_to_the_document_with_a_provider_token(case, provider_world):
    for name in ("provider_id", "course_id", "roster_id"):
        value = (case.path_parameters or {}).get(name)
        if isinstance(value, int) and value % 2:
            case.path_parameters[name] = provider_world[name]
    case.call_and_validate(headers={"Authorization": f"Bearer {provider_world['raw']}"},
                           checks=CHECKS)


@pytest.fixture
def staff_world(alice, alice_cpt, bob, programs, sam, media, settings,
                django_capture_on_commit_callbacks):
    """A staff token of an ACSM registrar and auditor (and ACE auditor), with alice, an ACSM
    audit case and an ACE petition in reach."""
    from decimal import Decimal

    from recert.audits.actions import do_start_audit
    from recert.core.actions.certifications import do_create_certification
    from recert.core.actions.professionals import do_create_professional
    from recert.core.models import CertifyingBody
    from recert.providers.actions import do_file_petition
    from tests.api.conftest import make_token
    from tests.audits.conftest import NOTICE_ON, at, renew
    from tests.staff.people import make_staff

    settings.API_RATE_LIMIT = 1_000_000
    staff = make_staff("fuzzstaff", [("ACSM", "registrar"), ("ACSM", "auditor"),
                                     ("ACE", "auditor")])
    _, raw = make_token(staff, kind="staff", name="fuzz")
    log(alice, date(2026, 2, 1), "2")
    carl = do_create_professional(username="carl", email="carl@example.com",
                                  full_name="Carl Cole", actor=None)
    renew(carl, programs[("ACSM", "CPT")], sam)
    with at(NOTICE_ON), django_capture_on_commit_callbacks(execute=True):
        audit = do_start_audit(CertifyingBody.objects.get(code="ACSM"), 2026, "seed1",
                               actor=staff, today=NOTICE_ON)
    do_create_certification(bob, programs[("ACE", "PT")], date(2025, 6, 10), actor=sam)
    workshop = log(bob, date(2026, 10, 1), "6", "OTHER", unit="hour")
    petition = do_file_petition(workshop, CertifyingBody.objects.get(code="ACE"),
                                actor=bob.user, description="Agenda", hours=Decimal("6"),
                                today=date(2026, 12, 1))
    return {"raw": raw, "professional_id": alice.pk, "case_id": audit.cases.get().pk,
            "petition_id": petition.pk}


@schema.include(path_regex="/staff/").parametrize()
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_the_staff_routes_keep_to_the_document_with_a_staff_token(case, staff_world):
    for name in ("professional_id", "case_id", "petition_id"):
        value = (case.path_parameters or {}).get(name)
        if isinstance(value, int) and value % 2:
            case.path_parameters[name] = staff_world[name]
    case.call_and_validate(headers={"Authorization": f"Bearer {staff_world['raw']}"},
                           checks=CHECKS)
