"""`recert manage synthetic`: synthetic data at any size (issue 16), here at a small size."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import models

from recert.audits.models import Audit
from recert.core.evaluation import evaluate_professional
from recert.core.models import (
    Certification,
    Course,
    CprAed,
    CreditDecision,
    CreditEntry,
    Cycle,
    History,
    MemberId,
    Professional,
    Provider,
)
from recert.demo import synthetic
from recert.demo.synthetic import SyntheticError, generate
from recert.providers.models import Petition, Roster, RosterRow
from recert.renewals.models import ClaimedCredit, Invoice, InvoiceLine, Payment, Renewal
from recert.rules import model as rules_model
from tests.processes import require_postgresql

AS_OF = date(2026, 12, 2)  # second half of the year: ACSM grace comes from extensions
SPRING = date(2026, 3, 10)  # ACSM's own grace season


@pytest.fixture
def generated(db):
    return generate(60, credits_per=30, seed=7, prefix="syn", as_of=AS_OF, batch=25)


def test_counts(generated):
    assert Professional.objects.count() == 60
    assert get_user_model().objects.filter(username__regex=r"^syn[0-9]{6}$").count() == 60
    assert CreditEntry.objects.count() == 60 * 30
    assert generated.rows["credit entries"] == 1800
    assert generated.professionals == 60
    assert MemberId.objects.count() >= 60
    assert CprAed.objects.count() > 0
    for model in (Certification, Cycle, Renewal, Invoice, InvoiceLine, Payment, ClaimedCredit,
                  History):
        assert model._base_manager.count() > 0, model
    # Every entry has its creation in history, as the action would have written it.
    assert History.objects.filter(object_type="creditentry", action="create").count() == 1800
    # The ids continue from the generated ones (sequences reset on PostgreSQL).
    entry = CreditEntry.objects.create(
        professional=Professional.objects.first(), earned_on=AS_OF, title="after",
        format="course", amount=1, unit="hour")
    assert entry.pk > max(CreditEntry.objects.exclude(pk=entry.pk).values_list("pk", flat=True))


def test_every_stage_and_format(generated):
    assert set(CreditEntry.objects.values_list("format", flat=True)) >= set(
        rules_model.FORMATS) - {"new_certification", "exam"}
    statuses = set(Certification.objects.values_list("status", flat=True))
    assert {rules_model.ACTIVE, rules_model.GRACE, rules_model.INVALID} <= statuses
    bodies = set(Certification.objects.values_list("program__body__code", flat=True))
    assert bodies == {"ACSM", "ACE"}
    assert set(Invoice.objects.values_list("status", flat=True)) == {"paid", "open"}
    assert set(Renewal.objects.values_list("status", flat=True)) == {"completed",
                                                                     "pending_payment"}
    assert Cycle.objects.filter(closed_reason="renewed").exists()
    # Petitions and their decisions are rare (a few per thousand people): checked below with
    # more of them.


def test_all_formats_at_a_larger_size(db):
    generate(40, credits_per=200, seed=3, prefix="big", as_of=AS_OF)
    assert set(CreditEntry.objects.values_list("format", flat=True)) == set(rules_model.FORMATS)


@pytest.mark.parametrize("as_of", [AS_OF, SPRING])
def test_the_engine_agrees_with_the_stored_stage(db, as_of):
    """Every generated person evaluates, and every stored status is the engine's on that
    day, as the nightly job would have left it: grace and lapsed (ACSM-GRACE-1,
    ACE-WINDOW-1), active, and open for renewal once the window is open and the credits
    are complete."""
    generate(40, credits_per=20, seed=11, prefix="eng", as_of=as_of)
    seen = set()
    for professional in Professional.objects.all():
        evaluation = evaluate_professional(professional, as_of)
        by_id = {r.id: r for r in evaluation.certifications}
        for certification in professional.certifications.all():
            assert by_id[str(certification.pk)].status == certification.status, certification
            seen.add(certification.status)
    assert rules_model.RENEWAL_OPEN in seen


def test_passwords_are_unusable(generated):
    users = get_user_model().objects.filter(username__startswith="syn")  # providers' too
    assert not any(u.has_usable_password() for u in users)
    assert len({u.password for u in users}) == users.count()  # Django's random values


def test_petitions_rosters_providers_and_audits(db, monkeypatch):
    """The rarer records, made common here: each is what the actions would have left."""
    monkeypatch.setattr(synthetic, "PETITION_SHARE", 0.3)
    monkeypatch.setattr(synthetic, "ROSTER_SHARE", 0.5)
    summary = generate(120, credits_per=15, seed=2, prefix="rare", as_of=AS_OF, batch=50)

    # Petitions: one per entry in a petition state, filed for ACE by an ACE holder; a
    # decided one has the body's decision, a question waits on one asked for more.
    entries = CreditEntry.objects.exclude(petition="")
    assert entries.count() == Petition.objects.count() > 0
    for petition in Petition.objects.select_related("credit_entry", "body"):
        assert petition.body.code == "ACE"
        assert petition.professional_id == petition.credit_entry.professional_id
        assert Certification.objects.filter(professional=petition.professional,
                                            program__body__code="ACE").exists()
        decisions = CreditDecision.objects.filter(credit_entry=petition.credit_entry)
        if petition.state in (Petition.APPROVED, Petition.DENIED):
            assert petition.credit_entry.petition == petition.state
            assert decisions.get().outcome == ("accepted" if petition.state == "approved"
                                               else "rejected")
        else:
            assert petition.credit_entry.petition == "pending" and not decisions.exists()
        assert petition.messages.exists() == (petition.state == Petition.MORE_INFORMATION)
    assert {p.state for p in Petition.objects.all()} >= {"pending", "approved", "denied"}

    # Providers: approved by a body, a member account, approved courses.
    providers = Provider.objects.filter(members__user__username__startswith="rare")
    assert providers.count() == 1  # 3 per 1,000 people, at least one
    for provider in providers:
        assert provider.approvals.count() == 1 and provider.members.count() == 1
        assert provider.courses.filter(status=Course.APPROVED).count() == 2

    # Rosters: a row per line, credited ones are the person's own entry with the course's
    # facts and source "provider"; the others are held without a person.
    rosters = Roster.objects.all()
    assert rosters.exists() and summary.rows["rosters"] == rosters.count()
    for roster in rosters:
        rows = list(roster.rows.select_related("credit_entry", "professional__user"))
        assert roster.row_count == len(rows) and roster.status == Roster.DONE
        assert [r.line for r in rows] == list(range(1, len(rows) + 1))
        for row in rows:
            if row.state == RosterRow.CREDITED:
                entry = row.credit_entry
                assert entry.professional_id == row.professional_id
                assert row.email == row.professional.user.email
                assert (entry.source, entry.title, entry.amount, entry.earned_on) == (
                    CreditEntry.PROVIDER, roster.course.title, roster.course.credits,
                    row.completed_on)
            else:
                assert row.state == RosterRow.HELD and row.professional_id is None
    assert RosterRow.objects.filter(state=RosterRow.CREDITED).count() > 10
    assert CreditEntry.objects.count() == 120 * 15  # a roster's credit is one of the person's

    # This year's ACSM audit: the policy's rate of last year's completed renewals, a case per
    # selected renewal with its claimed credits as items.
    audit = Audit.objects.get(body__code="ACSM", year=AS_OF.year)
    selected = [pk for s in audit.strata for pk in s["selected"]]
    assert sorted(audit.cases.values_list("renewal_id", flat=True)) == sorted(selected)
    for case in audit.cases.all():
        assert case.professional_id == case.renewal.professional_id
        assert sorted(case.items.values_list("credit_entry_id", flat=True)) == sorted(
            case.renewal.claimed_credits.values_list("credit_entry_id", flat=True))
    assert not Audit.objects.filter(body__code="ACE").exists()  # ACE does not audit
    # A second run does not start the year's audit again.
    generate(5, credits_per=2, seed=3, prefix="more", as_of=AS_OF)
    assert Audit.objects.count() == 1


def test_same_seed_same_data(db):
    generate(15, credits_per=10, seed=5, prefix="same", as_of=AS_OF)
    generate(15, credits_per=10, seed=5, prefix="again", as_of=AS_OF, batch=4, workers=1)
    assert _people("again") == _people("same")
    generate(15, credits_per=10, seed=6, prefix="other", as_of=AS_OF)
    assert _people("other")["credits"] != _people("same")["credits"]


def test_command(db, capsys):
    call_command("synthetic", "--professionals", "3", "--credits-per", "2", "--as-of",
                 "2026-12-02", "--prefix", "cmd")
    assert "3 professionals" in capsys.readouterr().out
    assert Professional.objects.count() == 3
    with pytest.raises(CommandError, match="prefix 'cmd' exist"):
        call_command("synthetic", "--professionals", "1", "--prefix", "cmd")
    with pytest.raises(CommandError, match="--as-of"):
        call_command("synthetic", "--professionals", "1", "--as-of", "yesterday")
    with pytest.raises(CommandError, match="--prefix"):
        call_command("synthetic", "--professionals", "1", "--prefix", "Bad-Prefix")


def test_bad_arguments(db):
    for kwargs, name in (({"credits_per": -1}, "--credits-per"), ({"batch": 0}, "--batch")):
        with pytest.raises(SyntheticError, match=name):
            generate(1, **kwargs)


def _people(prefix):
    """What the people of one prefix are, in their order, without ids and names."""
    def rows(model, path, *fields):
        return list(model._base_manager.filter(**{f"{path}user__username__startswith": prefix})
                    .order_by(f"{path}user__username", "earned_on" if model is CreditEntry
                              else "pk").values_list(*fields))
    return {
        "professionals": rows(Professional, "", "full_name", "city", "postal_code"),
        "certifications": rows(Certification, "professional__", "program__code",
                               "certified_on", "status"),
        "cycles": rows(Cycle, "certification__professional__", "number", "start", "end",
                       "closed_reason"),
        "credits": sorted(rows(CreditEntry, "professional__", "earned_on", "title", "format",
                               "amount", "unit", "awarded_by", "petition", "source"), key=repr),
        "invoices": sorted(rows(Invoice, "professional__", "total", "status"), key=repr),
    }


@pytest.mark.django_db(transaction=True)
def test_workers_on_postgresql():
    """Batches written by several processes at once (PostgreSQL): ids come from the
    sequences in blocks, so nothing collides, with each other or with rows the application
    writes meanwhile; the data is what one process writes."""
    require_postgresql()
    generate(12, credits_per=10, seed=5, prefix="one", as_of=AS_OF, batch=3, workers=1)
    summary = generate(12, credits_per=10, seed=5, prefix="two", as_of=AS_OF, batch=3,
                       workers=3)
    assert summary.professionals == 12
    assert summary.rows["credit entries"] == 120
    assert CreditEntry.objects.count() == 240
    # The same people and credits, whatever process wrote them.
    assert _people("two") == _people("one")
    # Claims point at the claiming person's own entries.
    assert not ClaimedCredit.objects.exclude(
        credit_entry__professional=models.F("renewal__professional")).exists()
    entry = CreditEntry.objects.create(
        professional=Professional.objects.first(), earned_on=AS_OF, title="after",
        format="course", amount=1, unit="hour")
    assert entry.pk > max(CreditEntry.objects.exclude(pk=entry.pk).values_list("pk", flat=True))
