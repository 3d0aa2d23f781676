"""Every change to credit entries and certifications leaves an append-only history row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from recert.core.actions.certifications import (
    do_delete_certification,
    do_restore_certification,
    do_update_certification,
)
from recert.core.actions.credits import (
    do_create_credit_entry,
    do_delete_credit_entry,
    do_restore_credit_entry,
    do_update_credit_entry,
)
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
    return list(History.objects.filter(object_type=obj._meta.model_name, object_id=obj.pk)
                .values_list("action", "changes", "actor__username"))


def test_credit_entry_create_update_delete_restore(entry, alice, sam):
    do_update_credit_entry(entry, actor=sam, amount=Decimal("2.0"), title="Strength Summit")
    do_delete_credit_entry(entry, actor=alice.user)
    do_restore_credit_entry(entry, actor=sam)
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
    do_update_certification(alice_cpt, actor=sam, cpr_aed_valid_until=date(2028, 1, 31))
    do_delete_certification(alice_cpt, actor=sam)
    do_restore_certification(alice_cpt, actor=sam)
    history = rows(alice_cpt)
    assert [h[0] for h in history] == ["create", "update", "delete", "restore"]
    assert history[0][1]["cycle"] == [None, ["2025-03-15", "2028-12-31"]]
    assert history[1][1] == {"cpr_aed_valid_until": ["2027-06-30", "2028-01-31"]}


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
