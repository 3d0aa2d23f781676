"""Loads the certifying bodies and programs of the shipped policies into the database."""

from __future__ import annotations

from django.db import transaction

from recert.core.models import CertifyingBody, Program


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
