"""What was e-mailed to whom (History rows), and a professional's e-mail preferences."""

from __future__ import annotations

from django.db import transaction

from recert.core.actions import history
from recert.core.models import History, Professional

Action = History.Action


def _changes(**values: str) -> dict:
    return {name: [None, value] for name, value in values.items() if value is not None}


@transaction.atomic
def do_record_email_sent(professional: Professional, *, kind: str, to: str, subject: str,
                         actor=None) -> History:
    """The History row of one message the mail server accepted (staff read it in the
    professional's history: what was sent, to which address, under which subject)."""
    return history.record(Action.SEND_EMAIL, professional, actor=actor,
                          professional=professional,
                          changes=_changes(kind=kind, to=to, subject=subject))


def skip_note(*, kind: str, reason: str, to: str = "", occasion: str = "") -> dict:
    """The changes of the history row that notes a message not sent."""
    return _changes(kind=kind, to=to or None, reason=reason, occasion=occasion or None)


def skip_notes_of(professional_ids: list[int]) -> dict[int, list[dict]]:
    """{professional id: the changes of each not-sent note in their history}: one query,
    for a batch to tell which notes exist already (`skip_note`) without asking each time."""
    notes: dict[int, list[dict]] = {}
    for object_id, changes in (History.objects.of_type(Professional)
                               .filter(object_id__in=professional_ids, action=Action.SKIP_EMAIL)
                               .values_list("object_id", "changes")):
        notes.setdefault(object_id, []).append(changes)
    return notes


@transaction.atomic
def do_note_email_not_sent(professional: Professional, *, kind: str, reason: str,
                           to: str = "", occasion: str = "", actor=None) -> History | None:
    """A History row saying a message did not go out and why. Noted once per kind, occasion
    and reason, so that a reminder skipped every night (no address) is noted once."""
    changes = skip_note(kind=kind, reason=reason, to=to, occasion=occasion)
    if History.objects.of(professional).filter(action=Action.SKIP_EMAIL,
                                               changes=changes).exists():
        return None
    return history.record(Action.SKIP_EMAIL, professional, actor=actor,
                          professional=professional, changes=changes)


@transaction.atomic
def do_set_email_preferences(professional: Professional, *, optional_reminders: bool,
                             actor) -> Professional:
    """Turns the optional reminders (spring notice, 90 days) on or off; the notices with a
    deadline always go."""
    # Only this field: an old row with another field that no longer validates must not
    # stop someone from turning reminders off.
    professional = Professional.objects.select_for_update().get(pk=professional.pk)
    old, new = professional.optional_reminders, bool(optional_reminders)
    if old != new:
        professional.optional_reminders = new
        professional.save(update_fields=["optional_reminders", "updated_at"])
        history.record(Action.UPDATE, professional, actor=actor, professional=professional,
                       changes={"optional_reminders": [old, new]})
    return professional
