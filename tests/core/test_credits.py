"""Credit entries: validated on the way in; deleting is recoverable."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from recert.core.actions.credits import do_create_credit_entry
from recert.core.actions.history import do_restore, do_soft_delete
from recert.core.models import CreditEntry


def log(professional, **extra):
    fields = {"earned_on": date(2026, 1, 5), "title": "Workshop", "format": "workshop",
              "amount": Decimal("10"), "unit": "hour"}
    fields.update(extra)
    return do_create_credit_entry(professional, actor=professional.user, **fields)


def test_defaults(alice):
    entry = log(alice)
    assert entry.awarded_by == "OTHER" and entry.credit_type == "cec"
    assert entry.source == "self_reported" and entry.petition == ""
    assert entry.reported_on is not None


def test_soft_delete_hides_and_restore_brings_back(alice):
    entry = log(alice)
    do_soft_delete(entry, actor=alice.user)
    assert not CreditEntry.objects.filter(pk=entry.pk).exists()
    assert CreditEntry.all_objects.get(pk=entry.pk).is_deleted
    do_restore(CreditEntry.all_objects.get(pk=entry.pk), actor=alice.user)
    assert CreditEntry.objects.get(pk=entry.pk).deleted_at is None


@pytest.mark.parametrize("field,value", [
    ("format", "yoga"), ("unit", "minutes"), ("awarded_by", "XYZ"), ("petition", "maybe"),
    ("amount", Decimal("-1")),
])
def test_bad_values_are_refused(alice, field, value):
    with pytest.raises(ValidationError) as error:
        log(alice, **{field: value})
    assert field in error.value.message_dict
    assert not CreditEntry.all_objects.exists()


def test_amount_is_exact_decimal(alice):
    entry = log(alice, amount=Decimal("0.125"), unit="ceu")
    entry.refresh_from_db()
    assert entry.amount == Decimal("0.125")


def test_awarding_organizations_match_the_policies():
    """The column's choices come from the shipped policies (no body code in code); the
    migrations fix them, so `makemigrations --check` fails when a policy adds one."""
    from recert.core.models.credits import AWARDING_ORGANIZATIONS
    from recert.rules import load_policies

    assert AWARDING_ORGANIZATIONS == load_policies().awarding_organizations
