"""Adding and changing certifications, staff corrections of their dates (deleting and
restoring: history.do_soft_delete)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
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


@transaction.atomic
def do_correct_certification(certification: Certification, *, actor, reason: str,
                             certified_on: date | None = None, cycle_start: date | None = None,
                             cycle_end: date | None = None) -> Certification:
    """Staff correct the certification's dates as the body has them on file: the date
    certified and the current (open) cycle's start and end, with the reason the
    professional sees on their certification. History keeps before and after. Values
    left None stay as they are; nothing changed writes nothing."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason for the correction; the "
                                         "professional sees it on the certification."})
    certification = Certification.all_objects.select_for_update().get(pk=certification.pk)
    cycle = (Cycle.objects.select_for_update().filter(certification=certification,
                                                      closed_at__isnull=True)
             .order_by("-number").first())
    if cycle is None and (cycle_start or cycle_end):
        raise ValidationError({"cycle_end": "This certification has no open cycle to "
                                            "correct."})
    changes: dict = {}
    if certified_on is not None and certified_on != certification.certified_on:
        changes["certified_on"] = [certification.certified_on.isoformat(),
                                   certified_on.isoformat()]
        certification.certified_on = certified_on
    if cycle is not None:
        start = cycle_start or cycle.start
        end = cycle_end or cycle.end
        if end < start:
            raise ValidationError({"cycle_end": f"The cycle cannot end ({end:%m/%d/%Y}) "
                                                f"before it starts ({start:%m/%d/%Y})."})
        if (start, end) != (cycle.start, cycle.end):
            changes["cycle"] = [[cycle.start.isoformat(), cycle.end.isoformat()],
                                [start.isoformat(), end.isoformat()]]
            cycle.start, cycle.end = start, end
            cycle.save(update_fields=["start", "end"])
    if not changes:
        return certification
    certification.full_clean()
    certification.save()
    changes["reason"] = [None, reason]
    history.record(History.Action.CORRECT, certification, actor=actor,
                   professional=certification.professional, changes=changes)
    return certification
