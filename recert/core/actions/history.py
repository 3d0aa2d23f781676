"""Helpers that write history rows; used only by the other actions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db import models

from recert.core.models import History


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


def record(action: str, instance: models.Model, *, actor, professional=None,
           changes: dict | None = None) -> History:
    object_type = instance._meta.model_name
    return History.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=object_type,
        object_id=instance.pk,
        professional=professional,
        changes=changes or {},
    )


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
        record(History.UPDATE, instance, actor=actor, professional=professional,
               changes=changes)
    return instance
