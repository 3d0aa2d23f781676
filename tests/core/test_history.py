"""Every change to credit entries and certifications leaves an append-only history row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from recert.core.actions.certifications import do_update_certification
from recert.core.actions.credits import do_create_credit_entry, do_update_credit_entry
from recert.core.actions.history import do_restore, do_soft_delete, record
from recert.core.models import History
from recert.core.models.history import HistoryIsAppendOnly


@pytest.fixture
def entry(alice):
    return do_create_credit_entry(
        alice, actor=alice.user, earned_on=date(2026, 2, 3), title="Strength Summit",
        format="conference", amount=Decimal("1.5"), unit="ceu", awarded_by="NASM",
        provider="NASM",
    )


def rows(obj):
    return list(History.objects.of(obj).values_list("action", "changes", "actor__username"))


def test_credit_entry_create_update_delete_restore(entry, alice, sam):
    do_update_credit_entry(entry, actor=sam, amount=Decimal("2.0"), title="Strength Summit")
    do_soft_delete(entry, actor=alice.user)
    do_restore(entry, actor=sam)
    history = rows(entry)
    assert [h[0] for h in history] == ["create", "update", "delete", "restore"]
    create, update, delete, restore = history
    assert create[1]["amount"] == [None, "1.5"] and create[2] == "alice"
    assert update[1] == {"amount": ["1.5", "2"]} and update[2] == "sam"
    assert delete[1]["deleted_at"][0] is None and delete[1]["deleted_at"][1]
    assert restore[1]["deleted_at"][1] is None
    assert all(h.professional_id == alice.pk for h in History.objects.filter(object_id=entry.pk,
                                                                              object_type="creditentry"))


def test_no_change_no_row(entry, alice):
    do_update_credit_entry(entry, actor=alice.user, title="Strength Summit")
    assert [h[0] for h in rows(entry)] == ["create"]


def test_certification_history(alice_cpt, sam):
    do_update_certification(alice_cpt, actor=sam, status="grace")
    do_soft_delete(alice_cpt, actor=sam)
    do_restore(alice_cpt, actor=sam)
    history = rows(alice_cpt)
    assert [h[0] for h in history] == ["create", "update", "delete", "restore"]
    assert history[0][1]["cycle"] == [None, ["2025-03-15", "2028-12-31"]]
    assert history[1][1] == {"status": ["active", "grace"]}


def test_cpr_aed_history_is_the_persons(alice, alice_cpt, sam):
    """Issue 10: CPR/AED is one record per person; its changes are the person's history."""
    do_update_certification(alice_cpt, actor=sam, cpr_aed_valid_until=date(2028, 1, 31))
    assert [h[0] for h in rows(alice_cpt)] == ["create"]
    row = History.objects.of(alice).filter(action="set_cpr_aed").last()
    assert row.changes == {"cpr_aed_valid_until": ["2027-06-30", "2028-01-31"]}


def test_history_rows_cannot_change_or_go(entry):
    row = History.objects.first()
    row.action = "forged"
    with pytest.raises(HistoryIsAppendOnly):
        row.save()
    with pytest.raises(HistoryIsAppendOnly):
        row.delete()
    with pytest.raises(HistoryIsAppendOnly):
        History.objects.all().delete()
    with pytest.raises(HistoryIsAppendOnly):
        History.objects.update(action="x")


def test_history_actions_are_a_closed_list(entry, alice):
    """A free string never reaches the table: reports and filters rely on the list."""
    with pytest.raises(ValueError, match="not a History.Action"):
        record("forged", entry, actor=alice.user, professional=alice)
    assert set(History.objects.values_list("action", flat=True)) <= set(History.Action.values)


def test_history_of_a_proxy_is_the_history_of_its_row(alice_cpt, sam):
    """Staff's lifecycle page (a proxy of Certification) shows the certification's rows."""
    from recert.renewals.models import CertificationLifecycle

    do_soft_delete(alice_cpt, actor=sam)
    lifecycle = CertificationLifecycle.all_objects.get(pk=alice_cpt.pk)
    assert list(History.objects.of(lifecycle)) == list(History.objects.of(alice_cpt))
    assert [h.action for h in History.objects.of(alice_cpt)] == ["create", "delete"]
