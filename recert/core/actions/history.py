"""The history module of the actions: writes History rows (used only by other actions) and
owns the one recoverable delete / restore pair of every SoftDeletable model."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone

from recert.core.models import History
from recert.core.models.base import SoftDeletable
from recert.core.models.history import object_type_of

Action = History.Action


def _jsonable(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)



def snapshot(instance: models.Model, fields: list[str]) -> dict:
    return {name: _jsonable(getattr(instance, name)) for name in fields}


def diff(before: dict, after: dict) -> dict:
    return {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}


def _action(action: str) -> History.Action:
    try:
        return History.Action(action)
    except ValueError:
        raise ValueError(f"{action!r} is not a History.Action; add it to the list") from None


def record(action: str, instance: models.Model, *, actor, professional=None,
           changes: dict | None = None) -> History:
    """One history row. `action` must be a History.Action (the list is closed: a new kind of
    change adds a member there, so that no free string reaches the table)."""
    return History.objects.create(**_row(_action(action), instance, actor, professional,
                                         changes))


def record_many(action: str, rows: list[tuple[models.Model, object, dict]], *,
                actor) -> list[History]:
    """`record` for many objects in one INSERT: rows of (instance, professional or its id,
    changes)."""
    action = _action(action)
    return History.objects.bulk_create(
        [History(**_row(action, instance, actor, professional, changes))
         for instance, professional, changes in rows])


def _row(action, instance, actor, professional, changes) -> dict:
    return {"actor": actor if getattr(actor, "pk", None) else None, "action": action,
            "object_type": object_type_of(instance), "object_id": instance.pk,
            "professional_id": getattr(professional, "pk", professional),
            "changes": changes or {}}


def update(instance: models.Model, fields: dict, allowed: list[str], *, actor,
           professional) -> models.Model:
    """Set `fields` (each one of `allowed`), validate, save, and record what changed.

    The shared body of the do_update_<noun> actions; call it inside their transaction.
    """
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"not {instance._meta.verbose_name} fields: {sorted(unknown)}")
    before = snapshot(instance, allowed)
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    changes = diff(before, snapshot(instance, allowed))
    if changes:
        record(Action.UPDATE, instance, actor=actor, professional=professional,
               changes=changes)
    return instance


def _professional_of(instance: models.Model):
    return getattr(instance, "professional", None)


@transaction.atomic
def do_soft_delete(instance: SoftDeletable, *, actor, reason: str = "") -> SoftDeletable:
    """Marks a SoftDeletable row deleted (a certification with its cycles, a credit entry,
    which then stops counting); do_restore brings it back. Deleting twice changes nothing.
    A `reason` (staff's) is kept in the history row."""
    if instance.deleted_at is None:
        instance.deleted_at = timezone.now()
        instance.save(update_fields=["deleted_at", "updated_at"])
        changes = {"deleted_at": [None, instance.deleted_at.isoformat()]}
        if reason:
            changes["reason"] = [None, reason]
        record(Action.DELETE, instance, actor=actor, professional=_professional_of(instance),
               changes=changes)
    return instance


@transaction.atomic
def do_restore(instance: SoftDeletable, *, actor) -> SoftDeletable:
    """Undoes do_soft_delete; restoring a row that is not deleted changes nothing."""
    if instance.deleted_at is not None:
        old = instance.deleted_at.isoformat()
        instance.deleted_at = None
        instance.save(update_fields=["deleted_at", "updated_at"])
        record(Action.RESTORE, instance, actor=actor, professional=_professional_of(instance),
               changes={"deleted_at": [old, None]})
    return instance
