"""Reviewed entries stay reviewed (issue 10, REVIEW-1): a confirmed entry's facts are not
the professional's to change; staff corrections and per-body decisions carry a reason and
leave a history row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from recert.core.actions.credits import (
    EntryConfirmed,
    do_correct_credit_entry,
    do_create_credit_entry,
    do_decide_credit_entry,
    do_delete_credit_entry,
    do_update_credit_entry,
)
from recert.core.models import CertifyingBody, CreditDecision, CreditEntry, History

pytestmark = pytest.mark.django_db


def log(professional, **extra):
    fields = {"earned_on": date(2026, 1, 5), "title": "Workshop", "format": "workshop",
              "amount": Decimal("10"), "unit": "hour"}
    fields.update(extra)
    return do_create_credit_entry(professional, actor=professional.user, **fields)


def test_a_self_reported_entry_is_the_professionals_to_change(alice):
    entry = log(alice)
    assert entry.confirmation() is None
    do_update_credit_entry(entry, actor=alice.user, amount=Decimal("12"))
    entry.refresh_from_db()
    assert entry.amount == Decimal("12")


def test_staff_correction_needs_a_reason_and_confirms_the_entry(alice, sam):
    entry = log(alice)
    with pytest.raises(ValidationError) as refused:
        do_correct_credit_entry(entry, actor=sam, reason="  ", amount=Decimal("8"))
    assert "staff_reason" in refused.value.message_dict
    entry.refresh_from_db()
    assert entry.amount == Decimal("10") and entry.source == "self_reported"

    do_correct_credit_entry(entry, actor=sam, reason="The certificate says 8 hours.",
                            amount=Decimal("8"))
    entry.refresh_from_db()
    assert (entry.amount, entry.source) == (Decimal("8"), "staff")
    assert entry.staff_reason == "The certificate says 8 hours."
    assert "staff" in entry.confirmation()
    row = History.objects.filter(object_id=entry.pk, action="correct").get()
    assert row.actor == sam
    assert row.changes["amount"] == ["10", "8"]
    assert row.changes["reason"] == [None, "The certificate says 8 hours."]


def test_the_inflated_edit_is_refused_and_nothing_changes(alice, sam):
    """Seen before issue 10: after a staff correction the professional raised the amount."""
    entry = log(alice)
    do_correct_credit_entry(entry, actor=sam, reason="Certificate: 8 hours.",
                            amount=Decimal("8"))
    with pytest.raises(EntryConfirmed) as refused:
        do_update_credit_entry(CreditEntry.objects.get(pk=entry.pk), actor=alice.user,
                               amount=Decimal("14"), title="Renamed")
    assert "number of credits" in refused.value.messages[0]
    assert "ask staff" in refused.value.messages[0]
    entry.refresh_from_db()
    assert (entry.amount, entry.title) == (Decimal("8"), "Workshop")


def test_title_stays_editable_on_a_confirmed_entry(alice, sam):
    entry = log(alice, source="provider", provider="NASM")
    assert "provider" in entry.confirmation()
    do_update_credit_entry(entry, actor=alice.user, title="Kettlebell Basics")
    entry.refresh_from_db()
    assert entry.title == "Kettlebell Basics"


def test_professional_cannot_set_review_state(alice):
    entry = log(alice)
    with pytest.raises(ValueError):
        do_update_credit_entry(entry, actor=alice.user, source="staff")
    with pytest.raises(ValueError):
        do_update_credit_entry(entry, actor=alice.user, petition="approved")


def test_a_decision_belongs_to_one_body_with_who_when_why(alice, sam, programs):
    """REVIEW-1: the decision is stored for ACE only, with the reviewer, time and reason."""
    ace = CertifyingBody.objects.get(code="ACE")
    entry = log(alice, petition="pending")
    decision = do_decide_credit_entry(entry, ace, "accepted", counted_as=Decimal("0.8"),
                                      reason="Petition granted: 8 hours of structured "
                                             "learning.", note="checked agenda",
                                      actor=sam, answers_petition=True)
    entry.refresh_from_db()
    assert entry.petition == "approved"
    assert (decision.body, decision.decided_by, decision.counted_as) == (
        ace, sam, Decimal("0.8"))
    assert list(entry.decisions.values_list("body__code", flat=True)) == ["ACE"]
    assert "reviewed by ACE" in entry.confirmation()
    row = History.objects.filter(object_id=entry.pk, action="decide").get()
    assert row.changes["body"] == [None, "ACE"]
    assert row.changes["outcome"] == [None, "accepted"]
    assert row.changes["counted_as"] == [None, "0.8"]
    assert row.changes["petition"] == ["pending", "approved"]

    # A later decision replaces the current one; the history keeps both.
    do_decide_credit_entry(entry, ace, "rejected", reason="Not structured learning.",
                           actor=sam)
    assert CreditDecision.objects.get(credit_entry=entry).outcome == "rejected"
    assert History.objects.filter(object_id=entry.pk, action="decide").count() == 2


@pytest.mark.parametrize("kwargs,field", [
    ({"outcome": "accepted", "reason": ""}, "reason"),
    ({"outcome": "maybe", "reason": "x"}, "outcome"),
    ({"outcome": "rejected", "reason": "x", "counted_as": Decimal("1")}, "counted_as"),
])
def test_bad_decisions_are_refused(alice, sam, programs, kwargs, field):
    entry = log(alice)
    outcome = kwargs.pop("outcome")
    with pytest.raises(ValidationError) as refused:
        do_decide_credit_entry(entry, CertifyingBody.objects.get(code="ACSM"), outcome,
                               actor=sam, **kwargs)
    assert field in refused.value.message_dict
    assert not CreditDecision.objects.exists()


def test_a_confirmed_entry_is_deleted_only_by_staff_with_a_reason(alice, sam):
    entry = log(alice, source="provider", provider="NASM")
    with pytest.raises(EntryConfirmed):
        do_delete_credit_entry(entry, actor=alice.user)
    assert CreditEntry.objects.filter(pk=entry.pk).exists()
    do_delete_credit_entry(entry, actor=sam, reason="Reported twice by the provider.")
    assert not CreditEntry.objects.filter(pk=entry.pk).exists()
    row = History.objects.filter(object_id=entry.pk, action="delete").get()
    assert row.changes["reason"] == [None, "Reported twice by the provider."]


def test_an_ace_petition_grant_leaves_acsms_count_unchanged(alice, alice_cpt, sam, programs):
    """REVIEW-1: 0.8 ACE CEC granted for 10 hours; ACSM still counts 10 by its own rule."""
    from recert.core.actions.certifications import do_create_certification
    from recert.core.evaluation import evaluate_professional

    ace_pt = do_create_certification(alice, programs[("ACE", "PT")], date(2025, 3, 15),
                                     actor=sam)
    entry = log(alice, petition="pending")
    on = date(2026, 6, 1)

    def counted():
        evaluation = evaluate_professional(alice, on)
        return {c.body: c.credit(str(entry.pk)) for c in evaluation.certifications
                if c.id in (str(alice_cpt.pk), str(ace_pt.pk))}

    before = counted()
    assert before["ACE"].outcome == "needs_review"
    do_decide_credit_entry(entry, CertifyingBody.objects.get(code="ACE"), "accepted",
                           counted_as=Decimal("0.8"), reason="Petition granted.", actor=sam,
                           answers_petition=True)
    after = counted()
    assert (after["ACE"].outcome, after["ACE"].counted) == ("accepted", Decimal("0.8"))
    assert "REVIEW-1" in after["ACE"].rules
    assert after["ACSM"].counted == before["ACSM"].counted == Decimal("10")

    # An ACSM rejection does not reject it for ACE.
    do_decide_credit_entry(entry, CertifyingBody.objects.get(code="ACSM"), "rejected",
                           reason="Outside the scope of the certification.", actor=sam)
    last = counted()
    assert (last["ACSM"].outcome, last["ACSM"].counted) == ("rejected", Decimal("0"))
    assert last["ACE"].counted == Decimal("0.8")
