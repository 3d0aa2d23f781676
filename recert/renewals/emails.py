"""What the renewals app e-mails (reminders, receipts): the words, the subject, and the
link to the page that does each next step. Sent through recert.core.mail; the previews
registered here let a staff page or a test render every kind for a professional.

Numbers, dates and what blocks a renewal are the engine's; the words are the pages'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from recert.core import mail
from recert.core.evaluation import standing_of
from recert.core.models import Certification, CprAed, Professional
from recert.core.words import long_date, short_date
from recert.renewals.models import Invoice, Reminder
from recert.rules import format_decimal
from recert.rules import model as rules_model
from recert.rules.model import CertificationResult, RenewalGroup

# Optional reminders (a professional may turn them off; they carry List-Unsubscribe). The
# others carry a deadline with consequences and always go.
OPTIONAL = {Reminder.RENEWAL_INFO, Reminder.DAYS_90}
# Said after the subject's action, when it fits within the subject limit.
SUBJECT_SUFFIX = {
    Reminder.DAYS_7: " (7 days left)",
    Reminder.GRACE_STARTED: " (now inactive)",
    Reminder.GRACE_ENDING: " (grace period ends)",
}
STATUS_WORDS = {
    rules_model.ACTIVE: "Active",
    rules_model.RENEWAL_OPEN: "Renewal open",
    rules_model.GRACE: "Inactive (grace period)",
    rules_model.INVALID: "Invalid",
}
UNIT = "CECs"


def message_kind(reminder_kind: str) -> str:
    """The mail kind (template name) of a reminder kind: reminder_days_30, …"""
    return f"reminder_{reminder_kind}"


def money(amount: Decimal) -> str:
    return f"${amount:.2f}"


def short_names(certifications: list[Certification]) -> str:
    """"ACSM CPT", "ACSM CPT and EP", "ACSM CPT, EP and CEP": the body once, then the
    program codes (the policy's codes; never the body's name twice)."""
    body = certifications[0].program.body.code
    codes = [c.program.code for c in certifications]
    if len(codes) == 1:
        return f"{body} {codes[0]}"
    return f"{body} {', '.join(codes[:-1])} and {codes[-1]}"


def credits_line(result: CertificationResult) -> str:
    """"45 of 45 — requirement met", "43.2 of 45 — 1.8 still needed"."""
    earned, required = format_decimal(result.earned), format_decimal(result.required)
    if result.remaining <= 0:
        return f"{earned} of {required} — requirement met"
    return f"{earned} of {required} — {format_decimal(result.remaining)} still needed"


@dataclass(frozen=True)
class Step:
    """One thing to do next, the page where it is done, and the link's words."""

    text: str
    url: str
    action: str


@dataclass(frozen=True)
class Item:
    """One certification in a message."""

    name: str
    short: str
    status: str
    standing: str
    cycle: str
    credits: str
    cpr_aed: str
    url: str


def _cpr_words(result: CertificationResult, record: CprAed | None) -> str:
    if rules_model.CPR_AED_NOT_CURRENT in result.renewal.blockers:
        if record is not None and record.valid_until:
            return f"not current (expired on {long_date(record.valid_until)})"
        return "not current (none recorded)"
    if record is not None and record.valid_until:
        return f"current until {long_date(record.valid_until)}"
    return ""


def _standing(result: CertificationResult) -> str:
    if result.status == rules_model.GRACE:
        return (f"Inactive: in the grace period until {long_date(result.renewal.grace_ends)}. "
                "You may not market yourself as certified until you renew.")
    if result.status == rules_model.INVALID:
        ended = max(result.renewal.grace_ends, result.cycle.end)
        return (f"Invalid since {long_date(ended)}: only passing the certification exam "
                "again, or a reinstatement by staff, restores it.")
    return ""


def _item(certification: Certification, result: CertificationResult,
          record: CprAed | None) -> Item:
    return Item(
        name=certification.program.full_name, short=short_names([certification]),
        status=STATUS_WORDS.get(result.status, result.status), standing=_standing(result),
        cycle=f"{long_date(result.cycle.start)} to {long_date(result.cycle.end)}",
        credits=credits_line(result), cpr_aed=_cpr_words(result, record),
        url=mail.link("certification", certification.pk),
    )


def open_invoice_of(certifications: list[Certification]) -> Invoice | None:
    return (Invoice.objects.filter(status=Invoice.OPEN, renewal__items__active=True,
                                   renewal__items__certification__in=certifications)
            .order_by("-issued_on", "-number").first())


def _fit(subject: str, suffix: str, fallback: str) -> str:
    if len(subject + suffix) <= mail.SUBJECT_LIMIT:
        return subject + suffix
    if len(subject) <= mail.SUBJECT_LIMIT:
        return subject
    return fallback[:mail.SUBJECT_LIMIT]


def _cycle_words(end: date, today: date) -> str:
    days = (end - today).days
    if days > 1:
        return f"Your cycle ends in {days} days, on {long_date(end)}."
    if days == 1:
        return f"Your cycle ends tomorrow, {long_date(end)}."
    if days == 0:
        return f"Your cycle ends today, {long_date(end)}."
    return f"Your cycle ended on {long_date(end)}."


def reminder_context(professional: Professional,
                     members: list[tuple[Certification, CertificationResult]],
                     reminder_kind: str, today: date, *, fee: Decimal,
                     late_fee: Decimal) -> dict:
    """The context of one reminder about `members` (one certification, or a renewal group
    that renews and pays together)."""
    certifications = [c for c, _ in members]
    results = [r for _, r in members]
    lead_certification, lead = members[0]
    record = CprAed.objects.filter(professional=professional).first()
    blockers = {b for r in results for b in r.renewal.blockers}
    invalid = any(r.status == rules_model.INVALID for r in results)
    grace = any(r.status == rules_model.GRACE for r in results)
    deadline = lead.renewal.grace_ends if grace else lead.cycle.end
    by = short_date(deadline, today)
    names = short_names(certifications)
    remaining = max(r.remaining for r in results)
    invoice = None if invalid else open_invoice_of(certifications)
    total = fee + late_fee
    fee_words = money(total) + (f" (fee {money(fee)} + late fee {money(late_fee)})"
                                if late_fee else "")
    steps: list[Step] = []
    if invalid:
        action = f"Contact staff to restore your {names}"
        steps.append(Step("Contact staff: only passing the certification exam again, or a "
                          "reinstatement by staff, restores it.",
                          mail.link("certification", lead_certification.pk),
                          "Open your certification"))
    elif invoice is not None:
        action = f"Pay invoice {invoice.number} to renew your {names} by {by}"
        steps.append(Step(f"Pay invoice {invoice.number}: {money(invoice.total)}, by "
                          f"{long_date(deadline)}.",
                          mail.link("renewals:invoice", invoice.number), "Pay the invoice"))
    else:
        if rules_model.SHORT_OF_REQUIRED in blockers:
            action = f"{format_decimal(remaining)} {UNIT} still needed for {names} by {by}"
            steps.append(Step(f"Report the {format_decimal(remaining)} {UNIT} still needed.",
                              mail.link("report"), "Report a credit"))
        elif rules_model.CPR_AED_NOT_CURRENT in blockers:
            action = f"Update your CPR/AED to renew your {names} by {by}"
        elif rules_model.NOT_FINAL_YEAR in blockers:
            action = (f"Renewal of your {names} opens on "
                      f"{short_date(lead.renewal.window_opens, today)}")
        else:
            action = f"Renew your {names} by {by}"
        if rules_model.CPR_AED_NOT_CURRENT in blockers:
            steps.append(Step("Update your CPR/AED record: it must be current to renew.",
                              mail.link("cpr_aed"), "Update CPR/AED"))
        if rules_model.NOT_FINAL_YEAR in blockers:
            steps.append(Step(f"Renewal opens on {long_date(lead.renewal.window_opens)}.",
                              mail.link("certification", lead_certification.pk),
                              "Open your certification"))
        steps.append(Step(f"{'Then renew' if steps else 'Renew'} by {long_date(deadline)}: "
                          f"{fee_words}.",
                          mail.link("renewals:start", lead_certification.pk), "Renew now"))
    body = certifications[0].program.body.code
    suffix = "" if invalid else SUBJECT_SUFFIX.get(reminder_kind, "")
    subject = _fit(action, suffix,
                   f"{action.split(' your ')[0]} your {body} certifications")
    return {
        "subject": subject, "reminder_kind": reminder_kind,
        "items": [_item(c, r, record) for c, r in members],
        "several": len(members) > 1, "steps": steps, "names": names,
        "cycle_end": long_date(lead.cycle.end), "grace_ends": long_date(lead.renewal.grace_ends),
        "has_grace": lead.renewal.grace_ends > lead.cycle.end,
        "days_left": (lead.cycle.end - today).days,
        "cycle_words": _cycle_words(lead.cycle.end, today), "invalid": invalid,
        "fee": money(fee), "late_fee": money(late_fee) if late_fee else "", "total": fee_words,
        "invoice": invoice,
    }


def send_reminder(professional: Professional,
                  members: list[tuple[Certification, CertificationResult]],
                  reminder_kind: str, due_on: date, today: date, *, fee: Decimal,
                  late_fee: Decimal, actor) -> str:
    """Sends one reminder now (mail.send_message(now=True)): SENT, SKIPPED (no address,
    or an optional one turned off), or MailNotSent raised when the server did not accept
    it."""
    context = reminder_context(professional, members, reminder_kind, today, fee=fee,
                               late_fee=late_fee)
    occasion = f"{'+'.join(str(c.pk) for c, _ in members)} {reminder_kind} {due_on}"
    return mail.send_message(message_kind(reminder_kind), professional.user, context,
                             optional=reminder_kind in OPTIONAL, actor=actor, now=True,
                             occasion=occasion)


def send_receipt(invoice: Invoice, *, actor) -> str:
    """The receipt of a paid invoice, queued for after the payment commits."""
    return mail.send_message("receipt", invoice.professional.user, receipt_context(invoice),
                             actor=actor)


def receipt_context(invoice: Invoice) -> dict:
    items = list(invoice.renewal.items.filter(active=True)
                 .select_related("certification__program__body"))
    certifications = [i.certification for i in items]
    return {
        "invoice": invoice, "lines": [(ln.description, money(ln.amount))
                                      for ln in invoice.lines.all()],
        "total": money(invoice.total),
        "names": short_names(certifications) if certifications else "",
        "paid_on": long_date(invoice.payment.received_at.date()),
        "invoice_url": mail.link("renewals:invoice", invoice.number),
        "receipt_url": mail.link("renewals:receipt", invoice.number),
    }


# -- previews ----------------------------------------------------------------------------

def reminder_members(professional: Professional, today: date
                     ) -> list[tuple[list[tuple[Certification, CertificationResult]],
                                     RenewalGroup | None]]:
    """The professional's certifications as reminders group them: each renewal group that
    renews together, and each other certification on its own."""
    standing = standing_of(professional, today)
    rows = {str(c.pk): (c, r) for c, r in standing.rows() if r is not None}
    out, seen = [], set()
    for group in standing.evaluation.renewals:
        ids = [i for i in group.certifications if i in rows]
        if len(ids) > 1 and group.bills_together:
            out.append(([rows[i] for i in ids], group))
            seen.update(ids)
    out += [([pair], None) for i, pair in rows.items() if i not in seen]
    return out


def _reminder_preview(reminder_kind: str):
    def build(professional: Professional, today: date):
        found = reminder_members(professional, today)
        if not found:
            return None
        members, group = found[0]
        result = members[0][1]
        fee = group.fee if group else result.renewal.fee
        late_fee = group.late_fee if group else result.renewal.late_fee
        context = reminder_context(professional, members, reminder_kind, today, fee=fee,
                                   late_fee=late_fee)
        return context, reminder_kind in OPTIONAL

    return build


for _kind, _label in Reminder.KINDS:
    mail.preview(message_kind(_kind))(_reminder_preview(_kind))


@mail.preview("receipt")
def _receipt_preview(professional: Professional, today: date):
    invoice = (Invoice.objects.filter(professional=professional, status=Invoice.PAID)
               .select_related("payment", "renewal").order_by("-issued_on").first())
    return (receipt_context(invoice), False) if invoice is not None else None
