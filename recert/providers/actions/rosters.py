"""Completions reported by providers: a roster upload becomes credits in the professionals'
logs (source provider, confirmed), held rows wait for a correction or for the professional
to claim them, and a provider can correct or withdraw a row. Every change has history."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from recert.core import mail
from recert.core.actions import history
from recert.core.actions.credits import do_create_credit_entry, do_delete_credit_entry
from recert.core.models import Course, CreditEntry, History, Professional
from recert.core.models.credits import AWARDING_ORGANIZATIONS
from recert.providers import rosters
from recert.providers.models import Roster, RosterRow

# Larger rosters are matched by a background task (recert.tasks.process_roster).
INLINE_ROWS = 100
ROW_FIELDS = ["member_id", "email", "name", "completed_on", "credits"]
ENTRY_FACTS = ["earned_on", "title", "format", "amount", "unit", "awarded_by", "provider",
               "course_number", "credit_type", "source"]


class CourseNotApproved(ValidationError):
    """Completions are reported for approved courses only."""

    def __init__(self):
        super().__init__({"file": "Completions can be reported for an approved course only."})


@transaction.atomic
def do_upload_roster(course: Course, uploaded, *, actor, today: date | None = None) -> Roster:
    """Reads and checks the whole file (RosterRefused: nothing stored), stores its rows and
    matches them: here for a small file, in the background for a large one."""
    if not course.is_approved:
        raise CourseNotApproved()
    parsed = rosters.parse_roster(uploaded, today or timezone.localdate(), course)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    return _store_roster(course, parsed, actor=actor, name=uploaded.name or "roster",
                         sha256=digest.hexdigest())


@transaction.atomic
def do_post_roster(course: Course, rows: list[dict], *, actor, name: str,
                   today: date | None = None) -> Roster:
    """A roster sent as data (the API): each row checked as a file's row is (RosterRefused
    keyed `rows[i].field`: nothing stored), then stored and matched as an upload is. Row i
    is line i + 1; `name` is what the provider's pages call the roster."""
    if not course.is_approved:
        raise CourseNotApproved()
    parsed = rosters.parse_rows(rows, today or timezone.localdate(), course)
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode())
    return _store_roster(course, parsed, actor=actor, name=name, sha256=digest.hexdigest())


def _store_roster(course: Course, parsed: list, *, actor, name: str, sha256: str) -> Roster:
    roster = Roster.objects.create(course=course, uploaded_by=actor if actor else None,
                                   file_name=(name or "roster")[-255:], sha256=sha256,
                                   row_count=len(parsed))
    RosterRow.objects.bulk_create([
        RosterRow(roster=roster, course=course, line=p.line, member_id=p.member_id,
                  email=p.email, name=p.name, completed_on=p.completed_on, credits=p.credits)
        for p in parsed])
    history.record(History.Action.CREATE, roster, actor=actor, changes={
        "course": [None, str(course)], "file": [None, roster.file_name],
        "rows": [None, len(parsed)], "sha256": [None, roster.sha256]})
    if len(parsed) > INLINE_ROWS:
        from recert.tasks import enqueue_on_commit, process_roster

        enqueue_on_commit(process_roster, roster.pk)
    else:
        roster = do_process_roster(roster.pk)
    return roster


@transaction.atomic
def do_process_roster(roster_id: int) -> Roster:
    """Matches every waiting row of the roster (safe to run twice: only pending rows)."""
    roster = Roster.objects.select_for_update(of=("self",)).select_related(
        "course__provider", "course__body", "uploaded_by").get(pk=roster_id)
    for row in roster.rows.filter(state=RosterRow.PENDING).order_by("line"):
        row.course = roster.course
        _apply(row, actor=roster.uploaded_by)
    roster.status = Roster.DONE
    roster.save(update_fields=["status"])
    return roster


def _apply(row: RosterRow, *, actor) -> None:
    match = rosters.match_row(row.course, row.member_id, row.email)
    if match.professional is None:
        row.state, row.note, row.professional = RosterRow.HELD, match.held_because[:300], None
        row.save()
        history.record(History.Action.REPORT_COMPLETION, row, actor=actor,
                       changes={"state": [None, RosterRow.HELD], "note": [None, row.note]})
        return
    _credit(row, match.professional, actor=actor)


def _facts(row: RosterRow) -> dict:
    course = row.course
    return {
        "earned_on": row.completed_on, "title": course.title, "format": course.format,
        "amount": row.credits or course.credits, "unit": "cec",
        "awarded_by": course.body.code if course.body.code in AWARDING_ORGANIZATIONS
        else "OTHER",
        "provider": course.provider.name[:200], "course_number": course.course_number,
        "credit_type": "cec", "source": CreditEntry.PROVIDER,
    }


def _credit(row: RosterRow, professional: Professional, *, actor, claimed: bool = False
            ) -> None:
    """The row becomes the professional's credit: the one already reported for the same
    course (ACE-SAME-1, ACSM-SAME-1: one credit), their own report of it merged, or a new
    entry; they are told unless it was already theirs."""
    course = row.course
    earlier = RosterRow.objects.filter(
        course=course, professional=professional, state=RosterRow.CREDITED,
        credit_entry__deleted_at__isnull=True).exclude(pk=row.pk).select_related(
        "credit_entry", "roster").first()
    row.professional = professional
    row.state = RosterRow.CREDITED
    row.merged_from = {}
    tell = True
    if earlier is not None and earlier.credit_entry is not None:
        row.credit_entry = earlier.credit_entry
        row.note = (f"already credited (row {earlier.line} of the upload of "
                    f"{earlier.roster.uploaded_at:%m/%d/%Y})")
        tell = False
    else:
        own = rosters.own_report_of_same_course(professional, course)
        facts = _facts(row)
        if own is not None:
            before = history.snapshot(own, ENTRY_FACTS)
            row.merged_from = before
            for name, value in facts.items():
                setattr(own, name, value)
            own.full_clean()
            own.save()
            changes = history.diff(before, history.snapshot(own, ENTRY_FACTS))
            changes["reason"] = [None, f"reported by {course.provider.name}; merged with "
                                       "your own report of the same course"]
            history.record(History.Action.REPORT_COMPLETION, own, actor=actor,
                           professional=professional, changes=changes)
            row.credit_entry = own
            row.note = "merged with the professional's own report of the course"
        else:
            row.credit_entry = do_create_credit_entry(professional, actor=actor, **facts)
            row.note = "claimed by the professional" if claimed else "credited"
    row.save()
    history.record(History.Action.REPORT_COMPLETION, row, actor=actor,
                   professional=professional,
                   changes={"state": [None, RosterRow.CREDITED], "note": [None, row.note],
                            "credit_entry": [None, str(row.credit_entry_id)]})
    if tell:
        mail.send_message("credit_reported", professional.user, {
            "course": course, "entry": row.credit_entry,
            "link": mail.link("credit", row.credit_entry_id)}, actor=actor)


def _undo_credit(row: RosterRow, *, actor, reason: str) -> None:
    """Takes back what the row put in the professional's log (unless another credited row
    of the same course still reports it): a merged entry gets its own facts back, a new
    one is deleted (recoverably)."""
    entry = row.credit_entry
    if entry is None or RosterRow.objects.filter(
            credit_entry=entry, state=RosterRow.CREDITED).exclude(pk=row.pk).exists():
        return
    entry = CreditEntry.all_objects.select_for_update().get(pk=entry.pk)
    if row.merged_from:
        before = history.snapshot(entry, ENTRY_FACTS)
        for name, value in row.merged_from.items():
            field = CreditEntry._meta.get_field(name)
            setattr(entry, name, field.to_python(value))
        entry.full_clean()
        entry.save()
        changes = history.diff(before, history.snapshot(entry, ENTRY_FACTS))
        changes["reason"] = [None, reason]
        history.record(History.Action.WITHDRAW, entry, actor=actor,
                       professional=entry.professional, changes=changes)
    else:
        do_delete_credit_entry(entry, actor=actor, reason=reason)


@transaction.atomic
def do_withdraw_roster_row(row: RosterRow, *, actor, reason: str) -> RosterRow:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the row is withdrawn; the professional "
                                         "sees it."})
    row = RosterRow.objects.select_for_update(of=("self",)).select_related(
        "course__provider", "course__body").get(pk=row.pk)
    if row.state == RosterRow.WITHDRAWN:
        return row
    old = row.state
    if row.state == RosterRow.CREDITED:
        _undo_credit(row, actor=actor,
                     reason=f"withdrawn by {row.course.provider.name}: {reason}")
    row.state, row.note = RosterRow.WITHDRAWN, reason[:300]
    row.save()
    history.record(History.Action.WITHDRAW, row, actor=actor, professional=row.professional,
                   changes={"state": [old, RosterRow.WITHDRAWN], "reason": [None, reason]})
    return row


@transaction.atomic
def do_correct_roster_row(row: RosterRow, *, actor, reason: str, today: date | None = None,
                          **fields) -> RosterRow:
    """The provider corrects a row (member ID, e-mail, name, date, CECs): what it credited is
    taken back and the row is matched again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter what was wrong; it is kept in the history."})
    unknown = set(fields) - set(ROW_FIELDS)
    if unknown:
        raise ValueError(f"not roster row fields: {sorted(unknown)}")
    row = RosterRow.objects.select_for_update(of=("self",)).select_related(
        "course__provider", "course__body").get(pk=row.pk)
    if row.state == RosterRow.WITHDRAWN:
        raise ValidationError("A withdrawn row cannot be corrected; upload it again.")
    rosters.check_row(fields, today or timezone.localdate())
    before = history.snapshot(row, ROW_FIELDS)
    if row.state == RosterRow.CREDITED:
        _undo_credit(row, actor=actor,
                     reason=f"corrected by {row.course.provider.name}: {reason}")
    for name, value in fields.items():
        setattr(row, name, value)
    row.state, row.professional, row.credit_entry, row.merged_from = (
        RosterRow.PENDING, None, None, {})
    row.save()
    changes = history.diff(before, history.snapshot(row, ROW_FIELDS))
    changes["reason"] = [None, reason]
    history.record(History.Action.UPDATE, row, actor=actor, changes=changes)
    _apply(row, actor=actor)
    return row


def claimable_rows(user):
    """Held rows reported under the user's verified e-mail address (never an unverified
    one), for them to claim."""
    address = rosters.verified_email(user)
    if not address:
        return RosterRow.objects.none()
    return RosterRow.objects.filter(state=RosterRow.HELD, email__iexact=address).select_related(
        "course__provider", "course__body", "roster")


@transaction.atomic
def do_claim_roster_row(row: RosterRow, professional: Professional, *, actor) -> RosterRow:
    row = RosterRow.objects.select_for_update(of=("self",)).select_related(
        "course__provider", "course__body").get(pk=row.pk)
    if row.state != RosterRow.HELD or not claimable_rows(professional.user).filter(
            pk=row.pk).exists():
        raise ValidationError("This completion is no longer waiting for you.")
    _credit(row, professional, actor=actor, claimed=True)
    return row


def credits_text(value: Decimal) -> str:
    return format(value.normalize(), "f")
