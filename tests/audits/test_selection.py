"""Selection (ACSM-AUDIT-1): the renewals of the previous calendar year, stratified by
program at the policy's rate rounded up (at least one per non-empty stratum), reproducible
by seed; previewed before anything is written; one audit per body and year."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from recert.audits import selection
from recert.audits.actions import do_start_audit
from recert.audits.models import Audit, AuditCase
from recert.core.models import CertifyingBody, History
from tests.audits.conftest import NOTICE_ON, at

pytestmark = pytest.mark.django_db
RATE = Decimal("0.10")


def test_each_stratum_gets_the_rate_rounded_up_and_at_least_one():
    population = {"CPT": list(range(1, 26)), "EP": list(range(100, 110)), "CEP": [500]}
    strata = {s.program: s for s in selection.sample(population, RATE, "abc")}
    # ACSM-AUDIT-1: 25 × 0.10 = 2.5 → 3; 10 × 0.10 = 1; a stratum of one gives its one.
    assert {p: len(s.selected) for p, s in strata.items()} == {"CPT": 3, "EP": 1, "CEP": 1}
    assert {p: s.population for p, s in strata.items()} == {"CPT": 25, "EP": 10, "CEP": 1}
    assert strata["CEP"].selected == (500,)
    assert set(strata["CPT"].selected) <= set(population["CPT"])
    assert selection.stratum_size(0, RATE) == 0
    assert selection.stratum_size(11, RATE) == 2


def test_the_same_seed_and_population_give_the_same_selection():
    population = {"CPT": list(range(1, 200)), "EP": list(range(300, 340))}
    first = selection.sample(population, RATE, "seed42")
    # The order the renewals come in does not matter, nor another stratum's size.
    again = selection.sample({"EP": list(reversed(population["EP"])),
                              "CPT": population["CPT"]}, RATE, "seed42")
    assert first == again
    other = selection.sample(population, RATE, "seed43")
    assert [s.selected for s in other] != [s.selected for s in first]
    grown = selection.sample({**population, "CEP": [900]}, RATE, "seed42")
    assert [s for s in grown if s.program != "CEP"] == first


def test_population_is_the_previous_calendar_years_completed_renewals_by_top_program(
        acsm, alice_renewed, bob_renewed):
    assert selection.population(acsm, 2025) == {"CPT": [alice_renewed[2].pk],
                                                "EP": [bob_renewed[2].pk]}
    assert selection.population(acsm, 2024) == {}


def test_preview_page_shows_strata_counts_and_seed_and_writes_nothing(
        client, ann, alice_renewed, bob_renewed):
    client.force_login(ann)
    with at(NOTICE_ON):
        page = client.get("/staff/audits/start/ACSM/", {"year": "2026", "seed": "abc123"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Selection with seed abc123" in text
    assert "Renewals requested in 2025: 2; selected: 2" in text
    assert "ACSM CPT" in text and "ACSM EP" in text
    assert not Audit.objects.exists()


def test_commit_opens_one_case_per_selected_renewal_and_notifies(
        client, ann, alice, alice_renewed, bob_renewed, mailoutbox,
        django_capture_on_commit_callbacks):
    client.force_login(ann)
    with at(NOTICE_ON), django_capture_on_commit_callbacks(execute=True):
        response = client.post("/staff/audits/start/ACSM/",
                               {"year": "2026", "seed": "abc123", "commit": "1"})
    assert response.status_code == 302
    audit = Audit.objects.get()
    assert (audit.year, audit.seed, audit.status, audit.rule) == (2026, "abc123", "open",
                                                                   "ACSM-AUDIT-1")
    assert [s["program"] for s in audit.strata] == ["CPT", "EP"]
    cases = {c.professional.user.username: c for c in AuditCase.objects.all()}
    assert set(cases) == {"alice", "bob"}
    alice_case = cases["alice"]
    # Notice date + response_days (30).
    assert alice_case.due_on == date(2026, 3, 4)
    # The claimed credits are frozen as the case's items.
    assert sorted(i.credit_entry_id for i in alice_case.items.all()) == sorted(
        e.pk for e in alice_renewed[1])
    assert {m.to[0] for m in mailoutbox} == {"alice@example.com", "bob@example.com"}
    notice = next(m for m in mailoutbox if m.to == ["alice@example.com"])
    assert notice.subject == "ACSM audit 2026: send proof of your CECs by March 4, 2026"
    assert f"/audits/{alice_case.pk}/" in notice.body
    assert History.objects.filter(action="start_audit").count() == 1
    assert History.objects.filter(action="select_for_audit").count() == 2
    # The dashboard's banner.
    client.force_login(alice.user)
    with at(NOTICE_ON):
        dashboard = client.get("/").content.decode()
    assert f'data-audit-case="{alice_case.pk}"' in dashboard
    assert "proof due 03/04/2026" in dashboard


def test_the_same_year_cannot_be_started_twice(client, acsm, ann, started):
    with pytest.raises(ValidationError, match="already started"):
        do_start_audit(acsm, 2026, "other", actor=ann, today=NOTICE_ON)
    client.force_login(ann)
    with at(NOTICE_ON):
        response = client.post("/staff/audits/start/ACSM/",
                               {"year": "2026", "seed": "other", "commit": "1"})
    assert response.status_code == 400
    assert "already started" in response.content.decode()
    assert Audit.objects.count() == 1


def test_a_body_without_an_audit_section_is_not_audited(client, eve):
    client.force_login(eve)
    page = client.get("/staff/audits/").content.decode()
    assert "ACE's policy has no audit section" in page
    page = client.get("/staff/audits/start/ACE/").content.decode()
    assert "ACE's policy has no audit section" in page
    with pytest.raises(ValidationError, match="no audit section"):
        do_start_audit(CertifyingBody.objects.get(code="ACE"), 2026, "x", actor=eve,
                       today=NOTICE_ON)


@pytest.mark.parametrize("data, field", [
    ({"year": "soon", "seed": "abc"}, "Enter a year such as 2026."),
    ({"year": "2026", "seed": "a b;"}, "The seed is 1 to 40 letters or digits."),
])
def test_bad_start_input_names_the_field(client, ann, data, field):
    client.force_login(ann)
    response = client.post("/staff/audits/start/ACSM/", {**data, "commit": "1"})
    assert response.status_code == 400
    assert field in response.content.decode()
    assert not Audit.objects.exists()


def test_large_selections_open_in_chunks_of_background_work(
        acsm, ann, alice_renewed, bob_renewed, settings, django_capture_on_commit_callbacks):
    settings.NIGHTLY_CHUNK_SIZE = 1  # one task per selected renewal
    with at(NOTICE_ON):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            audit = do_start_audit(acsm, 2026, "chunks", actor=ann, today=NOTICE_ON)
        # Nothing opened in the request: the cases and notices are the task's work.
        assert audit.status == Audit.SELECTING and not audit.cases.exists()
        assert len(callbacks) == 1
        with django_capture_on_commit_callbacks(execute=True):
            callbacks[0]()
    audit.refresh_from_db()
    assert audit.status == Audit.OPEN and audit.cases.count() == 2
