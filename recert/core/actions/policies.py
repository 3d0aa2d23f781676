"""Loads the certifying bodies and programs of the shipped policies into the database, and
records the dated policy values a body's staff set (issue 12)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from recert.core.actions import history
from recert.core.models import CertifyingBody, History, PolicyValue, Program
from recert.core.policies import (
    current_policies,
    editable_value,
    editable_values,
    policy_values_changed,
)
from recert.rules.parameters import build, raw
from recert.rules.policy import kind_of


@transaction.atomic
def sync_policies(policies=None) -> dict[str, int]:
    """Creates or updates a row per body and program; idempotent. Returns counts."""
    if policies is None:
        from recert.rules import load_policies

        policies = load_policies()
    counts = {"bodies_created": 0, "programs_created": 0, "updated": 0}
    for code, body_policy in sorted(policies.bodies.items()):
        body, created = CertifyingBody.objects.get_or_create(
            code=code, defaults={"name": body_policy.name}
        )
        counts["bodies_created"] += created
        if not created and body.name != body_policy.name:
            body.name = body_policy.name
            body.save(update_fields=["name"])
            counts["updated"] += 1
        for program_code, program_policy in sorted(body_policy.programs.items()):
            wanted = {"name": program_policy.name, "specialty": bool(program_policy.specialty)}
            program, created = Program.objects.get_or_create(
                body=body, code=program_code, defaults=wanted
            )
            counts["programs_created"] += created
            if not created and any(getattr(program, k) != v for k, v in wanted.items()):
                for k, v in wanted.items():
                    setattr(program, k, v)
                program.save(update_fields=list(wanted))
                counts["updated"] += 1
    return counts


def _field_text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "—" if value is None else str(value)


@transaction.atomic
def do_set_policy_value(body: CertifyingBody, key: str, value: str, starts_on: date,
                        reason: str, source: str, *, actor, today: date) -> PolicyValue:
    """A new dated value of one field of a body's policy parameter (`key`, e.g.
    "programs.CPT.fee"), in force from `starts_on` (today or later) until the next dated
    value: the value in force that day with that field changed. Earlier values are kept;
    the engine reads the new one like the shipped files' (core.policies.current_policies).
    Refused with a ValidationError naming the field: unknown parameter, a value of the wrong
    type or out of range, a date in the past or before the policy, no reason or source."""
    editable = editable_value(body.code, key)
    if editable is None:
        accepted = ", ".join(e.key for e in editable_values(body.code))
        raise ValidationError({"parameter": f"Unknown parameter {key!r} for {body.code} "
                                            f"(accepted: {accepted})."})
    errors = {}
    reason, source = (reason or "").strip(), (source or "").strip()
    if not reason:
        errors["reason"] = "Give the reason for the change."
    if not source:
        errors["source"] = "Cite the source (the document and section that sets the value)."
    elif len(source) > 500:
        errors["source"] = "At most 500 characters."
    if starts_on < today:
        errors["starts_on"] = (f"The effective date cannot be in the past (today is "
                               f"{today:%m/%d/%Y}); values already in force stay as they were.")
    if errors:
        raise ValidationError(errors)
    parameter = current_policies().bodies[body.code].parameters[editable.parameter]
    current = parameter.entry_at(starts_on)
    if current is None or current.value is None:
        first = parameter.values[0].start if parameter.values else None
        raise ValidationError({"starts_on": (
            f"No value of {editable.label} is in force on {starts_on:%m/%d/%Y}"
            + (f": the policy starts on {first:%m/%d/%Y}." if first else ".")
            + " A new value changes one in force; it cannot start a rule.")})
    new_raw = raw(current.value)
    new_raw[editable.field] = (value or "").strip()
    try:
        built = build(kind_of(editable.parameter), new_raw)
    except ValueError as exc:
        raise ValidationError({"value": f"{editable.label}: {_plain(str(exc))}"}) from None
    new = getattr(built, editable.field)
    old = getattr(current.value, editable.field)
    rule = editable.rule
    if rule.minimum is not None and new is not None and not isinstance(new, bool):
        if new < rule.minimum or (rule.above_minimum and new == rule.minimum):
            word = "greater than" if rule.above_minimum else "at least"
            raise ValidationError({"value": f"{editable.label}: must be {word} {rule.minimum}."})
    if rule.maximum is not None and new is not None and not isinstance(new, bool):
        if new > rule.maximum:
            raise ValidationError({"value": f"{editable.label}: at most {rule.maximum}."})
    if new == old:
        raise ValidationError({"value": f"{editable.label} is already {_field_text(old)} on "
                                        f"{starts_on:%m/%d/%Y}."})
    row = PolicyValue.objects.create(
        body=body, parameter=editable.parameter, field=editable.field, starts_on=starts_on,
        value=new_raw, reason=reason, source=source,
        recorded_by=actor if getattr(actor, "pk", None) else None)
    history.record(History.Action.CREATE, row, actor=actor, changes={
        "parameter": [None, f"{body.code} {key}"],
        "starts_on": [None, starts_on.isoformat()],
        editable.field: [_field_text(old), _field_text(new)],
        "reason": [None, reason],
        "source": [None, source],
    })
    # Every process reloads at its next evaluation: now (this transaction's readers) and
    # once committed (the others, which must not reload before the row is visible).
    policy_values_changed()
    transaction.on_commit(policy_values_changed)
    return row


def _plain(message: str) -> str:
    """The loader's "fee: not a decimal: 'ten'" without the key (the form names it)."""
    return message.split(": ", 1)[1] if ": " in message else message
