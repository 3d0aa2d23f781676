"""When reminders are due, and the nightly lifecycle run (statuses and reminders).

The offsets below are product choices, not certifying-body rules, so they live here and
not in the policies. Dates they hang off (cycle end, grace end) come from the engine.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

from recert.core.evaluation import standing_of
from recert.core.models import Certification, Cycle, Professional
from recert.renewals.actions import do_record_reminder, do_set_status, settle_invoice
from recert.renewals.models import Invoice, Reminder
from recert.renewals.quotes import blocker_text
from recert.rules import model as rules_model
from recert.rules.model import CertificationResult

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
    # Ids of the professionals whose work failed (rolled back; the run went on).
    failed: list[int] = field(default_factory=list)

    def add(self, other: RunReport) -> None:
        for name in ("status_changes", "reminders", "professionals", "invoices_voided",
                     "invoices_repriced"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failed += other.failed


def run_nightly(today: date, *, actor=None) -> RunReport:
    """Stores each certification's status as the engine sees it today, settles open
    invoices and sends the due reminders of each open cycle once. Safe to run twice and after
    days of not running. Each professional is one transaction: a failure is logged with the
    professional's id, rolled back, counted in `failed`, and the run goes on."""
    report = RunReport()
    ids = list(Professional.objects.filter(certifications__deleted_at__isnull=True)
               .distinct().order_by("pk").values_list("pk", flat=True))
    for pk in ids:
        try:
            with transaction.atomic():
                professional = Professional.objects.get(pk=pk)
                report.add(_run_professional(professional, today, actor=actor))
        except Exception:
            log.exception("Nightly run failed for professional %s; rolled back, continuing",
                          pk)
            report.failed.append(pk)
    return report


def _run_professional(professional: Professional, today: date, *, actor) -> RunReport:
    report = RunReport(professionals=1)
    standing = standing_of(professional, today)
    groups = {cid: g for g in standing.evaluation.renewals for cid in g.certifications}
    for certification, result in standing.rows():
        if result is None:
            continue
        if certification.status != result.status and do_set_status(
                certification, result.status, actor=actor):
            report.status_changes += 1
        cycle = certification.current_cycle()
        if cycle is None:
            continue
        due = latest_due(result, today)
        if due is None or Reminder.objects.filter(cycle=cycle, kind=due.kind).exists():
            continue
        if _send(professional, certification, cycle, result,
                 groups.get(str(certification.pk)), due, actor=actor):
            report.reminders += 1
    # An open invoice follows its certifications: void once they are invalid (only
    # the exam restores them), the late fee added once they are in grace.
    for invoice in (Invoice.objects.filter(professional=professional, status=Invoice.OPEN)
                    .select_related("renewal", "professional")):
        check = settle_invoice(invoice, today, actor=actor, standing=standing)
        report.invoices_voided += check.invalid
        report.invoices_repriced += bool(check.late_fee)
    return report


def _send(professional: Professional, certification: Certification, cycle: Cycle,
          result: CertificationResult, group, due: Due, *, actor) -> bool:
    email = professional.email or professional.user.email
    if not email:
        return False
    fee = group.fee if group is not None else result.renewal.fee
    late_fee = group.late_fee if group is not None else result.renewal.late_fee
    context = {
        "professional": professional, "certification": certification, "result": result,
        "kind": dict(Reminder.KINDS)[due.kind], "due": due,
        "blockers": [blocker_text(b) for b in result.renewal.blockers],
        "fee": fee, "late_fee": late_fee, "total": fee + late_fee,
        "site_url": getattr(settings, "RECERT_SITE_URL", ""),
    }
    subject = render_to_string("renewals/reminder_subject.txt", context).strip()
    body = render_to_string("renewals/reminder.txt", context)
    # The row and the mail together: if sending fails, the row is rolled back and the
    # next run tries again; if the row exists, no mail goes out twice.
    with transaction.atomic():
        reminder = do_record_reminder(cycle, due.kind, due.due_on, email, actor=actor)
        if reminder is None:
            return False
        send_mail(subject, body, None, [email])
    return True
