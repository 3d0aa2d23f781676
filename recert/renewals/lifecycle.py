"""When reminders are due, and the nightly lifecycle run (statuses and reminders).

The offsets below are product choices, not certifying-body rules, so they live here and
not in the policies. Dates they hang off (cycle end, grace end) come from the engine.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field, fields
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction

from recert.core import mail
from recert.core.actions.messages import skip_note, skip_notes_of
from recert.core.evaluation import (
    Standing,
    certification_input,
    certifications_by_professional,
    claimed_by_professional,
    credit_inputs_by_professional,
)
from recert.core.models import Certification, Cycle, Professional
from recert.renewals import emails
from recert.renewals.actions import do_record_reminder, do_set_statuses, settle_invoice
from recert.renewals.models import Invoice, Reminder
from recert.rules import evaluate
from recert.rules import model as rules_model
from recert.rules.model import CertificationResult, RenewalGroup

log = logging.getLogger(__name__)

# "Renewal information in the spring of the final year" (ACSM 002): sent on March 1, the
# last March 1 on or before the cycle end (ACSM: March 1 of the final calendar year; an
# ACE cycle ending in February: March 1 of the year before).
RENEWAL_INFO_MONTH, RENEWAL_INFO_DAY = 3, 1
# Days before the cycle end.
DAYS_BEFORE_END = {Reminder.DAYS_90: 90, Reminder.DAYS_30: 30, Reminder.DAYS_7: 7}
# Days before the grace period ends (only for bodies with a grace period).
DAYS_BEFORE_GRACE_ENDS = 30


@dataclass(frozen=True)
class Due:
    kind: str
    due_on: date


def renewal_info_date(cycle_end: date) -> date:
    day = date(cycle_end.year, RENEWAL_INFO_MONTH, RENEWAL_INFO_DAY)
    return day if day <= cycle_end else day.replace(year=cycle_end.year - 1)


def schedule(result: CertificationResult) -> list[Due]:
    """Every reminder of the result's cycle with its date, in date order."""
    end, grace_end = result.cycle.end, result.renewal.grace_ends
    out = [Due(Reminder.RENEWAL_INFO, renewal_info_date(end))]
    out += [Due(kind, end - timedelta(days=days)) for kind, days in DAYS_BEFORE_END.items()]
    if grace_end > end:
        out.append(Due(Reminder.GRACE_STARTED, end + timedelta(days=1)))
        out.append(Due(Reminder.GRACE_ENDING,
                       max(end + timedelta(days=1),
                           grace_end - timedelta(days=DAYS_BEFORE_GRACE_ENDS))))
    # Nothing before the cycle began (a short first cycle may start after a due date).
    out = [d for d in out if d.due_on >= result.cycle.start]
    return sorted(out, key=lambda d: (d.due_on, [k for k, _ in Reminder.KINDS].index(d.kind)))


def latest_due(result: CertificationResult, today: date) -> Due | None:
    """The one reminder to send today: the latest whose date has come, while the cycle is
    still renewable. After days without a run, the stale earlier ones are skipped."""
    if result.status == rules_model.INVALID:
        return None
    due = [d for d in schedule(result) if d.due_on <= today]
    return due[-1] if due else None


@dataclass
class RunReport:
    status_changes: int = 0
    reminders: int = 0
    professionals: int = 0
    invoices_voided: int = 0
    invoices_repriced: int = 0
    # Reminders due but not sent: no address, turned off, or the mail server did not
    # accept them (those stay unsent and the next run tries again).
    reminders_skipped: int = 0
    reminders_unsent: int = 0
    # Ids of the professionals whose work failed (rolled back; the run went on).
    failed: list[int] = field(default_factory=list)

    def add(self, other: RunReport) -> None:
        for name in ("status_changes", "reminders", "professionals", "invoices_voided",
                     "invoices_repriced", "reminders_skipped", "reminders_unsent"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failed += other.failed

    def as_dict(self) -> dict:
        """JSON-safe, for a task's result (a worker hands it back to `recert nightly`)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> RunReport:
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


def professional_chunks(size: int) -> list[list[int]]:
    """The ids of every professional with a live certification, in id order, split into
    lists of at most `size`: one unit of work (one task, one transaction) each."""
    ids = list(Professional.objects.filter(certifications__deleted_at__isnull=True)
               .distinct().order_by("pk").values_list("pk", flat=True))
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def run_chunk(ids: list[int], today: date, *, actor=None) -> RunReport:
    """The nightly work for the professionals `ids`, in one transaction.

    The chunk's inputs are read in a few queries for all of its professionals (the engine's
    input as plain values, not model instances), each professional is evaluated, and only
    what differs from what is stored is written: the changed statuses in one UPDATE (with
    their history rows in one INSERT) at the end, the due reminders and the open invoices
    to settle each professional in a savepoint. A failure of one professional (its
    evaluation, its mail or invoices) is logged with the id, rolled back (their statuses
    too), counted in `failed`, and the chunk goes on.

    Safe to retry and to run twice, also at once on two workers: a status is stored only
    when it differs (under a row lock), and the unique reminder row decides whether a
    reminder goes out; a second run writes nothing and sends nothing. Professionals deleted
    since the chunk was made are skipped. If the chunk itself fails (the worker dies, the
    database goes away), all of it rolls back and a retry starts it again; the e-mail
    already handed to the mail server by then goes out again (at least once, never zero
    times)."""
    from recert.core.policies import current_policies

    report = RunReport()
    with transaction.atomic():
        # Re-read inside the transaction: what the chunk acts on is checked now, not when
        # it was enqueued.
        professionals = list(Professional.objects.filter(pk__in=ids).select_related("user")
                             .prefetch_related("user__verified_addresses").order_by("pk"))
        pids = [p.pk for p in professionals]
        certifications = certifications_by_professional(pids)
        credits = credit_inputs_by_professional(pids)
        claimed = claimed_by_professional(pids)
        # The reminders already sent for these professionals' open cycles.
        sent = set(Reminder.objects.filter(
            cycle__certification__professional_id__in=pids, cycle__closed_at__isnull=True,
        ).values_list("cycle_id", "kind"))
        # The reminders skipped (no address, turned off) and noted on an earlier night.
        notes = skip_notes_of(pids)
        invoices: dict[int, list[Invoice]] = {}
        for invoice in (Invoice.objects.filter(professional_id__in=pids, status=Invoice.OPEN)
                        .select_related("renewal", "professional").order_by("pk")):
            invoices.setdefault(invoice.professional_id, []).append(invoice)
        policies = current_policies()
        statuses: dict[int, str] = {}
        for professional in professionals:
            own = certifications.get(professional.pk, [])
            try:
                own_claimed = claimed.get(professional.pk, {})
                evaluation = evaluate(
                    policies, [certification_input(c, own_claimed.get(c.pk, ())) for c in own],
                    credits.get(professional.pk, []), today)
                plan = _plan(Standing(evaluation, own, []), today, sent)
                part = RunReport(professionals=1)
                mails = []
                for group, due, members in plan.mails:
                    reason = mail.skip_reason(professional.user,
                                              optional=due.kind in emails.OPTIONAL)
                    if reason and _skip_note(due, members, reason) in notes.get(
                            professional.pk, ()):
                        part.reminders_skipped += 1  # skipped and noted before: no write
                    else:
                        mails.append((group, due, members, reason))
                to_settle = invoices.get(professional.pk, []) if plan.settles else []
                if mails or to_settle:
                    with transaction.atomic():
                        part.add(_act(professional, plan.standing, mails, to_settle, today,
                                      sent, actor=actor))
            except Exception:
                log.exception("Nightly run failed for professional %s; rolled back, "
                              "continuing", professional.pk)
                report.failed.append(professional.pk)
                continue
            report.add(part)
            statuses.update(plan.statuses)
        report.status_changes += len(do_set_statuses(statuses, actor=actor))
    return report


def run_nightly(today: date, *, actor=None, chunk_size: int | None = None) -> RunReport:
    """Stores each certification's status as the engine sees it today, settles open
    invoices and sends the due reminders of each open cycle once, here, chunk after chunk
    (`recert nightly` hands the same chunks to the task workers: recert/tasks.py). Safe to
    run twice and after days of not running."""
    report = RunReport()
    for ids in professional_chunks(chunk_size or settings.NIGHTLY_CHUNK_SIZE):
        report.add(run_chunk(ids, today, actor=actor))
    return report


@dataclass
class _Member:
    certification: Certification
    cycle: Cycle
    result: CertificationResult


@dataclass
class _Plan:
    """What one professional's evaluation asks of the nightly run (nothing written yet)."""

    standing: Standing
    # {certification id: the engine's status} where the stored one differs.
    statuses: dict[int, str]
    # One e-mail per renewal group (one invoice, one total) and kind; each on its own else.
    mails: list[tuple[RenewalGroup | None, Due, list[_Member]]]
    # Whether an open invoice may need settling: a certification invalid, or past its
    # cycle end (`settle_invoice` finds nothing to do otherwise).
    settles: bool


def _plan(standing: Standing, today: date, sent: set) -> _Plan:
    groups = {cid: g for g in standing.evaluation.renewals for cid in g.certifications}
    statuses: dict[int, str] = {}
    mails: dict[tuple, tuple[RenewalGroup | None, Due, list[_Member]]] = {}
    settles = False
    for certification, result in standing.rows():
        if result is None:
            continue
        if certification.status != result.status:
            statuses[certification.pk] = result.status
        settles = settles or result.status == rules_model.INVALID or today > result.cycle.end
        cycle = certification.current_cycle()
        if cycle is None:
            continue
        due = latest_due(result, today)
        if due is None or (cycle.pk, due.kind) in sent:
            continue
        group = groups.get(str(certification.pk))
        if group is not None and len(group.certifications) > 1 and group.bills_together:
            key = ("group", group.body, group.cycle_end, due.kind)
        else:
            group, key = None, ("one", certification.pk, due.kind)
        mails.setdefault(key, (group, due, []))[2].append(_Member(certification, cycle, result))
    return _Plan(standing, statuses, list(mails.values()), settles)


def _act(professional: Professional, standing: Standing, mails: list, invoices: list[Invoice],
         today: date, sent: set, *, actor) -> RunReport:
    """The professional's due reminders (group, due, members, skip reason), then their open
    invoices settled (an open invoice follows its certifications: void once they are
    invalid, only the exam restores them; the late fee added once they are in grace)."""
    report = RunReport()
    for group, due, members, reason in mails:
        outcome = _send(professional, members, group, due, today, reason, actor=actor)
        if outcome == mail.SENT:
            report.reminders += 1
            sent.update((m.cycle.pk, due.kind) for m in members)
        elif outcome == mail.SKIPPED:
            report.reminders_skipped += 1
        elif outcome == mail.FAILED:
            report.reminders_unsent += 1
    for invoice in invoices:
        check = settle_invoice(invoice, today, actor=actor, standing=standing)
        report.invoices_voided += check.invalid
        report.invoices_repriced += bool(check.late_fee)
    return report


def _occasion(due: Due, members: list[_Member]) -> str:
    return f"{'+'.join(str(m.certification.pk) for m in members)} {due.kind} {due.due_on}"


def _skip_note(due: Due, members: list[_Member], reason: str) -> dict:
    return skip_note(kind=emails.message_kind(due.kind), reason=reason,
                     occasion=_occasion(due, members))


def _send(professional: Professional, members: list[_Member], group: RenewalGroup | None,
          due: Due, today: date, reason: str, *, actor) -> str | None:
    """One e-mail for `members` (a renewal group quoted with its total, or one
    certification), recorded as a reminder on each member's cycle once the mail server
    accepted it: SENT, SKIPPED (no address, or an optional reminder turned off; noted in
    history), FAILED (not accepted: nothing recorded, so the next run tries again), or None
    (already sent, by another run)."""
    lead = members[0]
    if group is not None:
        fee, late_fee = group.fee, group.late_fee
    else:
        fee, late_fee = lead.result.renewal.fee, lead.result.renewal.late_fee
    kind = emails.message_kind(due.kind)
    occasion = _occasion(due, members)
    if reason:
        mail.note_not_sent(professional, reason, kind=kind, occasion=occasion, actor=actor)
        return mail.SKIPPED
    pairs = [(m.certification, m.result) for m in members]
    address = mail.address_of(professional.user)
    try:
        # The rows first (their unique constraint lets one run of two send), then the mail;
        # if the server does not accept it, the rows roll back and the next run tries again.
        # Once accepted, the rows commit with the chunk; a crash before that sends it again
        # on the next run (at least once, never zero times).
        with transaction.atomic():
            recorded = [do_record_reminder(m.cycle, due.kind, due.due_on, address, actor=actor)
                        for m in members]
            if not any(recorded):
                return None
            emails.send_reminder(professional, pairs, due.kind, due.due_on, today, fee=fee,
                                 late_fee=late_fee, actor=actor)
    except mail.MailNotSent as error:
        log.warning("Reminder %s to professional %s not accepted by the mail server (%s); "
                    "left unsent for the next run", due.kind, professional.pk, error.reason)
        mail.note_not_sent(professional, f"mail server did not accept it: {error.reason}",
                           kind=kind, occasion=occasion, actor=actor)
        return mail.FAILED
    return mail.SENT
