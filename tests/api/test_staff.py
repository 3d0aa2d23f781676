"""The staff console through the API (issue 15): search, one professional, corrections, the
audit cases and the petitions, each scoped to the staff token's roles and bodies as the staff
pages are (another body's staff: 404 or an empty list; without the role: 403)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from recert.audits.actions import do_start_audit
from recert.audits.models import AuditCase
from recert.core.actions.certifications import do_create_certification
from recert.core.actions.professionals import do_create_professional, do_set_member_id
from recert.core.evaluation import standing_of
from recert.core.models import CertifyingBody, CreditEntry, History
from recert.providers.actions import do_file_petition
from recert.rules.case import certification_json
from tests.api.conftest import ApiClient, make_token
from tests.audits.conftest import NOTICE_ON, at, renew
from tests.factories import log
from tests.staff.people import make_staff

pytestmark = pytest.mark.django_db
TODAY = "2026-12-01 12:00:00 +0000"


def staff_api(user, scope: str = "write") -> ApiClient:
    _, raw = make_token(user, scope, kind="staff")
    return ApiClient(raw)


@pytest.fixture
def bob_pt(bob, programs, sam):
    return do_create_certification(bob, programs[("ACE", "PT")], date(2025, 6, 10), actor=sam)


@pytest.fixture
def reg(alice_cpt):
    """ACSM registrar and auditor."""
    return make_staff("reg", [("ACSM", "registrar"), ("ACSM", "auditor")])


@pytest.fixture
def viewer(alice_cpt):
    return make_staff("view", [("ACSM", "viewer")])


@pytest.fixture
def ace(programs):
    """Every role at ACE: another body's staff for alice."""
    return make_staff("acestaff", [("ACE", r) for r in
                                   ("viewer", "registrar", "auditor", "education")])


# --- search --------------------------------------------------------------------------------

def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [p["full_name"] for p in response.json()["items"]]


@time_machine.travel(TODAY, tick=False)
def test_search_finds_the_people_of_the_callers_bodies_only(viewer, alice, bob, bob_pt, sam):
    do_set_member_id(alice, CertifyingBody.objects.get(code="ACSM"), "A-1234", actor=sam)
    api = staff_api(viewer, "read")
    assert _names(api.get("/staff/professionals", {"q": "archer ALI"})) == ["Alice Archer"]
    assert _names(api.get("/staff/professionals", {"q": "a-1234"})) == ["Alice Archer"]
    assert _names(api.get("/staff/professionals", {"q": "bob@example.com"})) == []
    assert _names(api.get("/staff/professionals", {"program": "CPT"})) == ["Alice Archer"]
    assert _names(api.get("/staff/professionals", {"status": "active"})) == ["Alice Archer"]
    assert _names(api.get("/staff/professionals")) == ["Alice Archer"]  # all of ACSM's
    row = api.get("/staff/professionals", {"q": "alice"}).json()["items"][0]
    assert row["member_ids"] == [{"body": "ACSM", "member_id": "A-1234"}]
    assert [(c["body"], c["program"], c["status"], c["cycle_end"])
            for c in row["certifications"]] == [("ACSM", "CPT", "active", "2028-12-31")]


def test_bad_search_input_names_the_field_in_the_pages_words(viewer):
    api = staff_api(viewer, "read")
    bad = api.get("/staff/professionals", {"cycle_end_from": "31/31/2028"})
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    assert bad.json()["errors"] == [{"field": "cycle_end_from",
                                     "message": "Enter a date as MM/DD/YYYY."}]
    bad = api.get("/staff/professionals", {"program": "PT"})  # ACE's, not theirs
    assert bad.json()["errors"] == [{"field": "program", "message": "Choose a program of "
                                                                    "your bodies from the "
                                                                    "list."}]
    for cursor in ("x", "²", "0"):
        bad = api.get("/staff/professionals", {"cursor": cursor})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"


def _people(n, programs, sam, start=0):
    for i in range(start, start + n):
        person = do_create_professional(username=f"p{i:03d}", email=f"p{i:03d}@example.com",
                                        full_name=f"Person {i:03d} Zed", actor=None)
        do_create_certification(person, programs[("ACSM", "CPT")], date(2025, 3, 15),
                                actor=sam)


def test_cursor_pages_walk_the_results_in_name_order(viewer, programs, sam):
    _people(5, programs, sam)
    api = staff_api(viewer, "read")
    seen, cursor = [], None
    while True:
        page = api.get("/staff/professionals", {"q": "zed", "limit": 2,
                                                **({"cursor": cursor} if cursor else {})})
        body = page.json()
        seen += [p["full_name"] for p in body["items"]]
        assert body["found"] == 5 and body["more"] is False
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"Person {i:03d} Zed" for i in range(5)]


# --- one professional ----------------------------------------------------------------------

@time_machine.travel(TODAY, tick=False)
def test_a_professional_with_the_engines_evaluation_and_history(viewer, alice, alice_cpt):
    log(alice, date(2026, 2, 1), "2")
    response = staff_api(viewer, "read").get(f"/staff/professionals/{alice.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["full_name"] == "Alice Archer"
    [certification] = body["certifications"]
    expected = dict(standing_of(alice, date(2026, 12, 1)).rows())[alice_cpt]
    assert certification["evaluation"] == _jsonish(certification_json(expected))
    assert certification["cycle"] == {"start": "2025-03-15", "end": "2028-12-31"}
    assert [c["amount"] for c in body["credits"]] == ["2"]
    assert {h["action"] for h in body["history"]} >= {"create"}


def _jsonish(value):
    import json

    from ninja.responses import NinjaJSONEncoder

    return json.loads(json.dumps(value, cls=NinjaJSONEncoder))


def test_another_bodys_staff_do_not_find_the_professional(ace, alice, alice_cpt, bob, bob_pt,
                                                           viewer):
    assert staff_api(ace).get(f"/staff/professionals/{alice.pk}").status_code == 404
    assert staff_api(viewer).get(f"/staff/professionals/{bob.pk}").status_code == 404
    assert _names(staff_api(ace).get("/staff/professionals", {"q": "alice"})) == []


# --- corrections ---------------------------------------------------------------------------

def _correct(api, person, body, **headers):
    return api.post(f"/staff/professionals/{person.pk}/corrections", body, headers=headers)


CREDIT = {"earned_on": "2026-03-01", "title": "Registry transfer", "format": "course",
          "amount": "3", "unit": "cec", "awarded_by": "ACSM", "credit_type": "cec"}


@time_machine.travel(TODAY, tick=False)
def test_a_registrar_adds_corrects_and_removes_a_credit_with_a_reason(reg, alice):
    api = staff_api(reg)
    missing = _correct(api, alice, {"kind": "add_credit", **CREDIT})
    assert missing.status_code == 422
    assert missing.json()["errors"] == [{"field": "reason", "message": "Enter the reason; the "
                                         "professional sees it on the entry."}]
    defaulted = {k: v for k, v in CREDIT.items() if k != "credit_type"}  # cec, as the form
    added = _correct(api, alice, {"kind": "add_credit", "reason": "From the old registry",
                                  **defaulted})
    assert added.status_code == 201, added.content
    credit = added.json()["credit"]
    entry = CreditEntry.objects.get(pk=credit["id"])
    assert (entry.source, entry.staff_reason, entry.amount, entry.credit_type) == (
        CreditEntry.STAFF, "From the old registry", Decimal("3"), "cec")

    stale = _correct(api, alice, {"kind": "correct_credit", "entry_id": entry.pk,
                                  "amount": "2", "reason": "Typo"}, **{"If-Match": '"old"'})
    assert stale.status_code == 412
    corrected = _correct(api, alice, {"kind": "correct_credit", "entry_id": entry.pk,
                                      "amount": "2", "reason": "Typo"},
                         **{"If-Match": credit["version"]})
    assert corrected.status_code == 201, corrected.content
    entry.refresh_from_db()
    assert (entry.amount, entry.title, entry.staff_reason) == (Decimal("2"),
                                                                "Registry transfer", "Typo")
    same = _correct(api, alice, {"kind": "correct_credit", "entry_id": entry.pk,
                                 "amount": "2", "reason": "Again"})
    assert same.json()["errors"][0]["message"] == ("Nothing was changed. Change a field, or "
                                                   "go back.")
    removed = _correct(api, alice, {"kind": "remove_credit", "entry_id": entry.pk,
                                    "reason": "Duplicate"})
    assert removed.status_code == 201 and removed.json()["credit"]["deleted"] is True
    assert History.objects.of(entry).filter(action="correct").exists()


@time_machine.travel(TODAY, tick=False)
def test_a_registrar_corrects_a_certifications_dates(reg, alice, alice_cpt):
    response = _correct(staff_api(reg), alice, {
        "kind": "correct_certification", "certification_id": alice_cpt.pk,
        "certified_on": "2025-03-01", "reason": "Date on the diploma"})
    assert response.status_code == 201, response.content
    assert response.json()["certification"]["certified_on"] == "2025-03-01"
    alice_cpt.refresh_from_db()
    assert alice_cpt.certified_on == date(2025, 3, 1)
    no_change = _correct(staff_api(reg), alice, {
        "kind": "correct_certification", "certification_id": alice_cpt.pk,
        "reason": "Nothing"})
    assert no_change.status_code == 422


def test_a_correction_is_made_once_per_idempotency_key(reg, alice):
    api = staff_api(reg)
    body = {"kind": "add_credit", "reason": "Registry", **CREDIT}
    first = _correct(api, alice, body, **{"Idempotency-Key": "k-1"})
    again = _correct(api, alice, body, **{"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert CreditEntry.objects.filter(professional=alice, source=CreditEntry.STAFF).count() == 1


def test_corrections_need_the_registrar_role_at_the_persons_body(reg, viewer, ace, alice,
                                                                  bob, bob_pt):
    body = {"kind": "add_credit", "reason": "x", **CREDIT}
    assert _correct(staff_api(viewer), alice, body).status_code == 403
    assert _correct(staff_api(ace), alice, body).status_code == 404
    assert _correct(staff_api(reg), bob, body).status_code == 404
    assert _correct(staff_api(reg, "read"), alice, body).status_code == 403
    bobs = log(bob, date(2026, 2, 1), "2", "ACE")
    wrong = _correct(staff_api(reg), alice, {"kind": "remove_credit", "entry_id": bobs.pk,
                                             "reason": "x"})
    assert wrong.status_code == 404
    assert not CreditEntry.objects.filter(source=CreditEntry.STAFF).exists()


# --- audits and petitions ------------------------------------------------------------------

@pytest.fixture
def audit_case(programs, sam, reg, media, django_capture_on_commit_callbacks):
    carl = do_create_professional(username="carl", email="carl@example.com",
                                  full_name="Carl Cole", actor=None)
    renew(carl, programs[("ACSM", "CPT")], sam)
    acsm = CertifyingBody.objects.get(code="ACSM")
    with at(NOTICE_ON), django_capture_on_commit_callbacks(execute=True):
        audit = do_start_audit(acsm, 2026, "seed1", actor=reg, today=NOTICE_ON)
    return audit.cases.get()


def test_the_audit_cases_of_the_auditors_bodies(reg, viewer, ace, audit_case):
    api = staff_api(reg, "read")
    page = api.get("/staff/audits/cases").json()
    assert [(c["id"], c["body"], c["status"], c["professional"]["full_name"], c["credits"])
            for c in page["items"]] == [(audit_case.pk, "ACSM", "awaiting", "Carl Cole", 3)]
    assert api.get("/staff/audits/cases", {"status": "passed"}).json()["items"] == []
    detail = api.get(f"/staff/audits/cases/{audit_case.pk}")
    assert detail.status_code == 200, detail.content
    assert len(detail.json()["items"]) == 3 and detail.json()["due_on"]
    assert staff_api(ace).get("/staff/audits/cases").json()["items"] == []
    assert staff_api(ace).get(f"/staff/audits/cases/{audit_case.pk}").status_code == 404
    assert staff_api(viewer).get("/staff/audits/cases").status_code == 403
    assert staff_api(viewer).get(f"/staff/audits/cases/{audit_case.pk}").status_code == 403


@pytest.fixture
def petition(bob, bob_pt, ace, media):
    entry = log(bob, date(2026, 10, 1), "6", "OTHER", unit="hour")
    entry.title, entry.provider, entry.format = "Barre Basics", "Studio B", "workshop"
    entry.save()
    return do_file_petition(entry, CertifyingBody.objects.get(code="ACE"), actor=bob.user,
                            description="Agenda", hours=Decimal("6"), today=date(2026, 12, 1))


def test_the_petitions_queue_of_the_auditors_bodies(ace, reg, petition):
    api = staff_api(ace, "read")
    page = api.get("/staff/petitions").json()
    assert [(p["id"], p["body"], p["state"], p["credit"]["title"]) for p in page["items"]] == [
        (petition.pk, "ACE", "pending", "Barre Basics")]
    assert api.get("/staff/petitions", {"status": "approved"}).json()["items"] == []
    detail = api.get(f"/staff/petitions/{petition.pk}").json()
    assert (detail["description"], detail["hours"]) == ("Agenda", "6")
    assert staff_api(reg).get("/staff/petitions").json()["items"] == []
    assert staff_api(reg).get(f"/staff/petitions/{petition.pk}").status_code == 404


# --- who may call at all -------------------------------------------------------------------

def _staff_routes(ids: dict) -> list[tuple[str, str]]:
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json").json()
    out = []
    for template, operations in schema["paths"].items():
        if not template.startswith("/api/v1/staff/"):
            continue
        path = template.removeprefix("/api/v1")
        for name, value in ids.items():
            path = path.replace("{" + name + "}", str(value))
        assert "{" not in path, template
        out += [(method, path) for method in operations]
    return out


def test_only_staff_tokens_reach_the_staff_routes(reg, alice, audit_case, petition):
    """Personal and provider tokens: 403; anonymous: 401; a signed-in staff member's own
    pages' scripts: only after the second factor."""
    from django.test import Client

    from recert.core.models import Provider, ProviderMembership

    routes = _staff_routes({"professional_id": alice.pk, "case_id": audit_case.pk,
                            "petition_id": petition.pk})
    assert len(routes) == 7
    provider = Provider.objects.create(name="Fit Ed")
    ProviderMembership.objects.create(user=reg, provider=provider)
    personal = ApiClient(make_token(reg, "write")[1])  # the staff member's personal token
    provider_token = ApiClient(make_token(reg, "write", kind="provider",
                                          provider=provider)[1])
    password_only = ApiClient()
    password_only.client.force_login(reg, second_factor=False)
    body = {"kind": "add_credit", "reason": "x", **CREDIT}
    for method, path in routes:
        for client, status in ((personal, 403), (provider_token, 403), (ApiClient(), 401),
                               (password_only, 403)):
            response = (client.post(path, body) if method == "post" else client.get(path))
            assert response.status_code == status, (method, path, response.content)
            assert response["Content-Type"] == "application/problem+json"
    session = Client()
    session.force_login(reg)
    for method, path in routes:
        if method == "get" and "petitions/" not in path:  # the petition is ACE's
            assert session.get("/api/v1" + path).status_code == 200, path


def test_another_bodys_staff_find_nothing_on_any_staff_route(reg, ace, viewer, alice,
                                                              audit_case, petition):
    """Every staff route with the other body's staff (all roles there): 404 for an object,
    an empty list; the same body's staff without the role a route needs: 403."""
    ids = {"professional_id": alice.pk, "case_id": audit_case.pk, "petition_id": petition.pk}
    body = {"kind": "add_credit", "reason": "x", **CREDIT}
    outsider = {"petitions": staff_api(reg), "other": staff_api(ace)}  # petition: ACE's
    for method, path in _staff_routes(ids):
        api = outsider["petitions" if "/petitions" in path else "other"]
        response = api.post(path, body) if method == "post" else api.get(path)
        if any(str(v) in path.split("/") for v in ids.values()):
            assert response.status_code == 404, (method, path, response.content)
        else:
            assert response.status_code == 200, path
            found = {item["id"] for item in response.json()["items"]}
            theirs = ({petition.pk} if "/petitions" in path else {audit_case.pk}
                      if "/audits" in path else {alice.pk, audit_case.professional_id})
            assert not found & theirs, path
        needs_role = method == "post" or "/audits" in path or "/petitions" in path
        response = (staff_api(viewer).post(path, body) if method == "post"
                    else staff_api(viewer).get(path))
        assert response.status_code == (403 if needs_role else 200), (method, path)
    assert not CreditEntry.objects.filter(source=CreditEntry.STAFF).exists()


def test_a_role_removed_takes_effect_at_once(reg, alice):
    from recert.core.models import StaffMembership

    api = staff_api(reg)
    assert api.get(f"/staff/professionals/{alice.pk}").status_code == 200
    StaffMembership.objects.filter(user=reg, role__name="registrar").delete()
    refused = _correct(api, alice, {"kind": "add_credit", "reason": "x", **CREDIT})
    assert refused.status_code == 403 and "registrar" in refused.json()["detail"]


def _count(api, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert api.get(path).status_code == 200
    return len(queries)


def _more_cases(case, n: int, start: int) -> None:
    """`n` further cases of the same renewal, in audits of later years (written directly:
    only the list's cost is measured)."""
    from recert.audits.models import Audit

    audit = case.audit
    for year in range(start, start + n):
        later = Audit.objects.create(
            body=audit.body, year=year, seed="s", rate=audit.rate,
            response_days=audit.response_days, replacement_days=audit.replacement_days,
            inactive_months=audit.inactive_months, rule=audit.rule, notice_on=audit.notice_on)
        AuditCase.objects.create(audit=later, renewal=case.renewal,
                                 professional=case.professional, stratum=case.stratum,
                                 notified_on=case.notified_on, due_on=case.due_on)


def test_the_staff_lists_cost_the_same_for_few_rows_as_for_many(reg, ace, programs, sam, bob,
                                                                 bob_pt, audit_case, media):
    acsm_api, ace_api = staff_api(reg, "read"), staff_api(ace, "read")
    paths = ("/staff/professionals?limit=50", "/staff/audits/cases", "/staff/petitions")

    def petitions(n, start):
        for i in range(start, start + n):
            entry = log(bob, date(2026, 10, 1 + i), "6", "OTHER", unit="hour")
            entry.provider, entry.format = f"Studio {i}", "workshop"
            entry.save()
            do_file_petition(entry, CertifyingBody.objects.get(code="ACE"), actor=bob.user,
                             description="Agenda", hours=Decimal("6"),
                             today=date(2026, 12, 1))

    def counts():
        return {p: _count(ace_api if "petitions" in p else acsm_api, p) for p in paths}

    with time_machine.travel(TODAY, tick=False):
        _people(2, programs, sam)
        petitions(3, 0)
        _more_cases(audit_case, 2, 2030)
        acsm_api.get("/staff/professionals")  # the tokens' last use: written once a minute
        ace_api.get("/staff/petitions")
        few = counts()
        _people(9, programs, sam, start=2)
        petitions(9, 3)
        _more_cases(audit_case, 9, 2040)
        many = counts()
    assert many == few
    assert len(acsm_api.get("/staff/audits/cases").json()["items"]) == 12


def test_one_professional_costs_the_same_queries_at_10_and_1000_entries(reg, alice):
    """The record's route reads its credits, documents and history in a fixed number of
    queries (no query per entry), as the staff page does."""
    from recert.core.signals import bump_evaluation_version
    from tests.factories import log_many

    api = staff_api(reg, "read")
    path = f"/staff/professionals/{alice.pk}"
    with time_machine.travel(TODAY, tick=False):
        log_many(alice, 10, date(2026, 12, 1))
        bump_evaluation_version(alice)  # a bulk insert moves no version by itself
        api.get(path)  # the evaluation cached; the token's last use written
        few = _count(api, path)
        log_many(alice, 990, date(2026, 12, 1))
        bump_evaluation_version(alice)
        api.get(path)
        many = _count(api, path)
        assert len(api.get(path).json()["credits"]) == 1000
    assert many == few
