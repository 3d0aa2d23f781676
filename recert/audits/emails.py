"""What the audit e-mails say (notice, reminders, outcomes), through recert.core.mail: one
template set per kind under templates/mail/audit_*; each links to the case's page."""

from __future__ import annotations

from datetime import date

from recert.audits.models import AuditCase
from recert.core import mail
from recert.core.models import Professional
from recert.core.words import long_date

KINDS = ("audit_notice", "audit_reminder", "audit_passed", "audit_replacement",
         "audit_inactive", "audit_invalid")


def case_context(case: AuditCase, today: date) -> dict:
    deadline = case.deadline()
    return {
        "case": case,
        "body": case.audit.body.code,
        "year": case.audit.year,
        "due_on": long_date(case.due_on),
        "deadline": long_date(deadline),
        "days_left": (deadline - today).days if deadline else None,
        "replacement_due_on": long_date(case.replacement_due_on),
        "inactive_until": long_date(case.inactive_until),
        "credits": case.items.count(),
        "case_url": mail.link("audits:case", case.pk),
    }


def send_case_message(kind: str, case: AuditCase, today: date, *, actor=None,
                      now: bool = False) -> str:
    """Sends `kind` about `case` to its professional (always: an audit has consequences)."""
    return mail.send_message(kind, case.professional.user, case_context(case, today),
                             actor=actor, now=now, occasion=f"case {case.pk} {kind} {today}")


def _preview(kind: str, statuses: tuple[str, ...]):
    def build(professional: Professional, today: date):
        case = (AuditCase.objects.filter(professional=professional, status__in=statuses)
                .select_related("audit__body").order_by("-pk").first())
        return (case_context(case, today), False) if case is not None else None

    return build


for _kind, _statuses in {
    "audit_notice": (AuditCase.AWAITING,),
    "audit_reminder": (AuditCase.AWAITING, AuditCase.REPLACEMENT),
    "audit_passed": (AuditCase.PASSED,),
    "audit_replacement": (AuditCase.REPLACEMENT,),
    "audit_inactive": (AuditCase.INACTIVE,),
    "audit_invalid": (AuditCase.INVALID,),
}.items():
    mail.preview(_kind)(_preview(_kind, _statuses))
