"""Adding and changing certifications (deleting and restoring: history.do_soft_delete)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from recert.core.actions import history
from recert.core.models import Certification, Cycle, History, Professional, Program

CERTIFICATION_FIELDS = ["program", "certified_on", "status"]


def first_cycle(program: Program, certified_on: date) -> tuple[date, date]:
    """The first cycle of a certification under its body's cycle rule (the engine's)."""
    from recert.core.policies import current_policies
    from recert.rules import first_cycle as rules_first_cycle

    cycle = rules_first_cycle(current_policies().bodies[program.body.code], certified_on)
    return cycle.start, cycle.end


@transaction.atomic
def do_create_certification(professional: Professional, program: Program, certified_on: date,
                            *, actor, cpr_aed_valid_until: date | None = None,
                            cycle: tuple[date, date] | None = None,
                            cycle_number: int = 1) -> Certification:
    """The certification and its first cycle under the body's rule. An imported record
    may give its current `cycle` (and its number) as the body has it on file instead."""
    certification = Certification(professional=professional, program=program,
                                  certified_on=certified_on)
    certification.full_clean()
    certification.save()
    if cpr_aed_valid_until is not None:
        # CPR/AED is the person's (one record): a later card's date wins.
        from recert.core.actions.professionals import do_set_cpr_aed

        do_set_cpr_aed(professional, actor=actor, valid_until=cpr_aed_valid_until,
                       only_if_later=True)
    start, end = cycle if cycle is not None else first_cycle(program, certified_on)
    Cycle.objects.create(certification=certification, number=cycle_number, start=start, end=end)
    changes = {k: [None, v] for k, v in
               history.snapshot(certification, CERTIFICATION_FIELDS).items() if v is not None}
    changes["cycle"] = [None, [start.isoformat(), end.isoformat()]]
    history.record(History.Action.CREATE, certification, actor=actor, professional=professional,
                   changes=changes)
    return certification


@transaction.atomic
def do_update_certification(certification: Certification, *, actor, **fields) -> Certification:
    if "cpr_aed_valid_until" in fields:
        # The person's record, shared by all their certifications.
        from recert.core.actions.professionals import do_set_cpr_aed

        do_set_cpr_aed(certification.professional, actor=actor,
                       valid_until=fields.pop("cpr_aed_valid_until"))
    return history.update(certification, fields, CERTIFICATION_FIELDS, actor=actor,
                          professional=certification.professional)
