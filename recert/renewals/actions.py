"""Every write of the renewal lifecycle: one transaction each, with history rows.

Starting a renewal (renewal + numbered invoice), recording a payment (idempotent),
completing a renewal (close the cycle, open the next on the original schedule), a passed
exam, a staff reinstatement, a stored status change and a sent reminder; online payment:
starting a Stripe checkout (one session per invoice and attempt) and applying Stripe's
webhook event.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from recert.core.actions import history
from recert.core.actions.professionals import do_set_cpr_aed
from recert.core.evaluation import Standing, standing_of
from recert.core.models import Certification, Cycle, History, Professional
from recert.core.policies import following_cycle
from recert.core.signals import bump_evaluation_version, bump_evaluation_versions
from recert.renewals import gateways
from recert.renewals.emails import send_receipt
from recert.renewals.models import (
    ClaimedCredit,
    Invoice,
    InvoiceLine,
    InvoiceSequence,
    Payment,
    PaymentIssue,
    Reminder,
    Renewal,
    RenewalItem,
)
from recert.renewals.quotes import LATE_FEE_LINE, Quote
from recert.rules import model as rules_model

log = logging.getLogger(__name__)

INVOICE_PREFIX = "R"
ZERO = Decimal("0")


class PaymentRefused(Exception):
    """The payment cannot be recorded; the message says why."""


def next_invoice_number() -> str:
    """R000001, R000002, … Must run inside a transaction: the counter row stays locked
    until it commits, so two renewals at once never get the same number."""
    InvoiceSequence.objects.get_or_create(name="invoice")
    seq = InvoiceSequence.objects.select_for_update().get(name="invoice")
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{INVOICE_PREFIX}{seq.last:06d}"


def _open_cycle(certification: Certification) -> Cycle | None:
    return (Cycle.objects.filter(certification=certification, closed_at__isnull=True)
            .order_by("-number").first())


@transaction.atomic
def do_start_renewal(quote: Quote, *, cecs_through_body: Decimal, cecs_other: Decimal,
                     cpr_aed_valid_until: date | None, confirmed_details: dict,
                     actor) -> Renewal:
    """The renewal request and its invoice, from a quote the form has checked.

    Submitting again (a double click, a retried request) while the same cycles await
    payment updates that request and re-prices its invoice instead of making a second."""
    if not quote.can_renew:
        raise ValidationError(quote.refusals)
    professional = quote.certification.professional
    certifications = list(Certification.objects.select_for_update()
                          .filter(pk__in=[c.pk for c, _ in quote.members]).order_by("pk"))
    cycles = {c.pk: _open_cycle(c) for c in certifications}
    if any(cycle is None for cycle in cycles.values()):
        raise ValidationError("This certification has no open cycle to renew.")
    existing = (RenewalItem.objects.select_related("renewal")
                .filter(cycle__in=cycles.values(), active=True))
    pending = {item.renewal for item in existing}
    if any(r.status == Renewal.COMPLETED for r in pending):
        raise ValidationError("This cycle has already been renewed.")
    wanted = set(cycles.values())
    renewal = None
    for old in pending:
        if {i.cycle for i in old.items.filter(active=True)} == wanted and not _is_paid(old):
            renewal = old
        else:
            _cancel(old, actor=actor)
    now = timezone.now()
    fields = {
        "required": quote.required, "cecs_through_body": cecs_through_body,
        "cecs_other": cecs_other, "cpr_aed_valid_until": cpr_aed_valid_until,
        "confirmed_details": confirmed_details, "acknowledged_at": now,
        "requested_on": quote.as_of,
    }
    if renewal is None:
        renewal = Renewal.objects.create(professional=professional,
                                         body=quote.certification.program.body,
                                         cycle_end=quote.cycle_end, **fields)
        for certification in certifications:
            RenewalItem.objects.create(renewal=renewal, certification=certification,
                                       cycle=cycles[certification.pk])
        invoice = Invoice.objects.create(number=next_invoice_number(), renewal=renewal,
                                         professional=professional, issued_on=quote.as_of,
                                         total=quote.total)
        action = History.Action.CREATE
    else:
        for k, v in fields.items():
            setattr(renewal, k, v)
        renewal.save()
        invoice = Invoice.objects.select_for_update().get(renewal=renewal)
        invoice.lines.all().delete()
        if invoice.total != quote.total:
            # The old checkout page would take the old price: it must not be paid any more.
            _drop_checkout(invoice)
        invoice.total = quote.total
        invoice.issued_on = quote.as_of
        invoice.save(update_fields=["total", "issued_on", *CHECKOUT_FIELDS])
        action = History.Action.UPDATE
    for position, line in enumerate(quote.lines):
        InvoiceLine.objects.create(invoice=invoice, position=position, kind=line.kind,
                                   description=line.description, amount=line.amount)
    claimed = _record_claims(renewal, quote)
    # The CPR/AED date the professional confirmed becomes the person's one on file.
    if cpr_aed_valid_until and quote.certification.cpr_aed_valid_until != cpr_aed_valid_until:
        do_set_cpr_aed(professional, actor=actor, valid_until=cpr_aed_valid_until)
    history.record(action, renewal, actor=actor, professional=professional, changes={
        "certifications": [None, [str(c.pk) for c in certifications]],
        "cecs": [None, history._jsonable(renewal.cecs_total)],
        "invoice": [None, invoice.number],
        "total": [None, history._jsonable(invoice.total)],
        "claimed_credits": [None, claimed],
    })
    return renewal


def claims_of(quote: Quote) -> dict[int, Decimal]:
    """{credit entry id: counted} of the credits the quoted renewal claims: those the engine
    counts (more than zero) for any of its certifications, at the most counted for one."""
    counted: dict[int, Decimal] = {}
    for _, result in quote.members:
        for credit in result.credits:
            if credit.counted > 0 and credit.id.isdigit():
                pk = int(credit.id)
                counted[pk] = max(counted.get(pk, ZERO), credit.counted)
    return counted


def _record_claims(renewal: Renewal, quote: Quote) -> list[str]:
    """The renewal's claimed credits, as the engine counted them on the request day; a
    re-submitted request replaces them. Returns the ids, for the history row."""
    renewal.claimed_credits.all().delete()
    counted = claims_of(quote)
    ClaimedCredit.objects.bulk_create(
        ClaimedCredit(renewal=renewal, credit_entry_id=pk, counted=amount)
        for pk, amount in sorted(counted.items()))
    bump_evaluation_version(renewal.professional_id)  # bulk_create sends no signal
    return [str(pk) for pk in sorted(counted)]


def _is_paid(renewal: Renewal) -> bool:
    return Payment.objects.filter(invoice__renewal=renewal).exists()


def _expire_checkout_later(session_id: str) -> None:
    """Once the transaction commits, the stored Stripe Checkout Session is expired so that
    nobody can pay an invoice that was voided or re-priced."""
    if session_id:
        transaction.on_commit(lambda: gateways.expire_checkout_session(session_id))


CHECKOUT_FIELDS = ["checkout_session_id", "checkout_url", "checkout_expires_at"]


def _drop_checkout(invoice: Invoice) -> None:
    """Forgets the invoice's Checkout Session (the caller saves CHECKOUT_FIELDS) and expires
    it at Stripe once the transaction commits; the next "Pay" is a new attempt."""
    _expire_checkout_later(invoice.checkout_session_id)
    invoice.checkout_session_id = ""
    invoice.checkout_url = ""
    invoice.checkout_expires_at = None


def _cancel(renewal: Renewal, *, actor, reason: str = "replaced by a newer request") -> None:
    renewal.items.update(active=False)
    bump_evaluation_version(renewal.professional_id)  # update() sends no signal
    # A cancelled renewal claims nothing: its credits are free for the next request.
    renewal.claimed_credits.all().delete()
    renewal.status = Renewal.CANCELLED
    renewal.save(update_fields=["status"])
    for invoice in Invoice.objects.select_for_update().filter(renewal=renewal,
                                                              status=Invoice.OPEN):
        invoice.status = Invoice.VOID
        invoice.save(update_fields=["status"])
        _expire_checkout_later(invoice.checkout_session_id)
        history.record(History.Action.VOID, invoice, actor=actor, professional=renewal.professional,
                       changes={"status": [Invoice.OPEN, Invoice.VOID],
                                "reason": [None, reason]})
    history.record(History.Action.CANCEL, renewal, actor=actor, professional=renewal.professional,
                   changes={"status": [Renewal.PENDING_PAYMENT, Renewal.CANCELLED],
                            "reason": [None, reason]})


@dataclass(frozen=True)
class InvoiceCheck:
    """What the engine says of an open invoice's certifications on a given day."""

    invalid: bool = False
    grace_ends: date | None = None
    # The late fee the engine says is owed on that day and the invoice does not carry yet.
    late_fee: Decimal = ZERO


def check_invoice(invoice: Invoice, day: date, standing: Standing | None = None
                  ) -> InvoiceCheck:
    """An invoice pays for cycles still open; on `day` the engine may say a certification
    is invalid (after its grace period, ACSM-GRACE-1: only the exam restores it) or in grace
    (renewing then owes the late fee, even for a request filed on time)."""
    if invoice.status != Invoice.OPEN:
        return InvoiceCheck()
    items = list(RenewalItem.objects.filter(renewal_id=invoice.renewal_id, active=True,
                                            cycle__closed_at__isnull=True)
                 .select_related("cycle"))
    if not items:
        return InvoiceCheck()
    if standing is None:
        standing = standing_of(invoice.professional, day)
    results = {str(c.pk): r for c, r in standing.rows()}
    invalid, grace_ends, late_fee = False, None, ZERO
    for item in items:
        result = results.get(str(item.certification_id))
        if result is None or result.cycle.end != item.cycle.end:
            continue
        if result.status == rules_model.INVALID or day > result.renewal.grace_ends:
            invalid, grace_ends = True, result.renewal.grace_ends
        elif day > result.cycle.end:
            late_fee = max(late_fee, result.renewal.late_fee)
    if late_fee and InvoiceLine.objects.filter(invoice=invoice,
                                               kind=InvoiceLine.Kind.LATE_FEE).exists():
        late_fee = ZERO
    return InvoiceCheck(invalid, grace_ends, late_fee)


def invalid_message(invoice: Invoice, check: InvoiceCheck) -> str:
    ended = f" on {check.grace_ends:%m/%d/%Y}" if check.grace_ends else ""
    return (f"Invoice {invoice.number} can no longer be paid: the renewal period ended{ended} "
            "and the certification is invalid; only passing the certification exam restores "
            "it (contact staff). The invoice is void and nothing was charged or recorded.")


@transaction.atomic
def do_cancel_renewal(renewal: Renewal, *, actor, reason: str) -> bool:
    """Cancels a renewal awaiting payment and voids its open invoice. False if it was not
    pending any more."""
    renewal = Renewal.objects.select_for_update().get(pk=renewal.pk)
    if renewal.status != Renewal.PENDING_PAYMENT or _is_paid(renewal):
        return False
    _cancel(renewal, actor=actor, reason=reason)
    return True


@transaction.atomic
def do_add_late_fee(invoice: Invoice, late_fee: Decimal, *, actor) -> bool:
    """Re-prices an open invoice filed on time but paid in grace: the engine's late fee is
    added as a line. False if the invoice is not open or already carries it."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != Invoice.OPEN or invoice.lines.filter(
            kind=InvoiceLine.Kind.LATE_FEE).exists():
        return False
    InvoiceLine.objects.create(invoice=invoice, position=invoice.lines.count(),
                               kind=InvoiceLine.Kind.LATE_FEE, description=LATE_FEE_LINE,
                               amount=late_fee)
    old_total = invoice.total
    invoice.total = old_total + late_fee
    _drop_checkout(invoice)
    invoice.save(update_fields=["total", *CHECKOUT_FIELDS])
    history.record(History.Action.ADD_LATE_FEE, invoice, actor=actor,
                   professional=invoice.professional,
                   changes={"total": [history._jsonable(old_total),
                                      history._jsonable(invoice.total)],
                            "late_fee": [None, history._jsonable(late_fee)]})
    return True


def settle_invoice(invoice: Invoice, day: date, *, actor,
                   standing: Standing | None = None) -> InvoiceCheck:
    """Brings an open invoice in line with the engine on `day`: void (its renewal cancelled)
    when a certification is invalid, the late fee added when it is paid in grace."""
    check = check_invoice(invoice, day, standing)
    if check.invalid:
        do_cancel_renewal(invoice.renewal, actor=actor, reason="certification invalid")
    elif check.late_fee:
        do_add_late_fee(invoice, check.late_fee, actor=actor)
    return check


def do_record_payment(invoice: Invoice, *, gateway: str, reference: str, amount: Decimal,
                      idempotency_key: str, actor, received_at: datetime | None = None
                      ) -> tuple[Payment, bool]:
    """Records the payment of an invoice and completes its renewal, once.

    Returns (payment, created). The same key again, or a second payment for a paid invoice
    (a replayed webhook, two staff clicking at once), returns the first payment unchanged.

    First the invoice is settled against the engine on the payment day: if a certification
    is invalid by then, the invoice is voided and the payment refused; if it is in grace and
    the invoice was filed on time, the late fee is added, so the old total no longer
    matches and the payment is refused with the new total."""
    day = timezone.localdate(received_at) if received_at else timezone.localdate()
    current = Invoice.objects.select_related("professional", "renewal").get(pk=invoice.pk)
    check = settle_invoice(current, day, actor=actor)
    if check.invalid:
        raise PaymentRefused(invalid_message(current, check))
    try:
        with transaction.atomic():
            return _record_payment(invoice.pk, gateway=gateway, reference=reference,
                                   amount=amount, idempotency_key=idempotency_key,
                                   actor=actor, received_at=received_at)
    except IntegrityError:
        # Another request inserted the same key between our check and our insert.
        payment = Payment.objects.filter(idempotency_key=idempotency_key).first() or \
            Payment.objects.filter(invoice_id=invoice.pk).first()
        if payment is None:
            raise
        return payment, False


def _record_payment(invoice_id: int, *, gateway, reference, amount, idempotency_key, actor,
                    received_at) -> tuple[Payment, bool]:
    # The invoice row lock serialises concurrent payments of the same invoice.
    invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
    same_key = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if same_key is not None:
        return same_key, False
    already = Payment.objects.filter(invoice=invoice).first()
    if already is not None:
        return already, False
    if invoice.status == Invoice.VOID:
        raise PaymentRefused(f"Invoice {invoice.number} is void (replaced by a newer request, "
                             "or its certification became invalid); nothing was recorded.")
    if Decimal(amount) != invoice.total:
        late = invoice.lines.filter(kind=InvoiceLine.Kind.LATE_FEE).first()
        why = ""
        if late is not None and Decimal(amount) == invoice.total - late.amount:
            why = (f" It is paid during the grace period, so it now includes the late fee "
                   f"({late.amount}); collect the difference or ask for a new payment.")
        raise PaymentRefused(
            f"The amount {amount} does not match invoice {invoice.number} "
            f"({invoice.total}).{why}")
    payment, created = Payment.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={"invoice": invoice, "gateway": gateway, "reference": reference,
                  "amount": invoice.total, "received_at": received_at or timezone.now(),
                  "recorded_by": actor if getattr(actor, "pk", None) else None},
    )
    if not created:
        return payment, False
    invoice.status = Invoice.PAID
    invoice.gateway = gateway
    invoice.save(update_fields=["status", "gateway"])
    history.record(History.Action.RECORD_PAYMENT, invoice, actor=actor,
                   professional=invoice.professional,
                   changes={"status": [Invoice.OPEN, Invoice.PAID], "gateway": [None, gateway],
                            "reference": [None, reference],
                            "amount": [None, history._jsonable(payment.amount)]})
    do_complete_renewal(invoice.renewal, actor=actor)
    # The receipt goes once the payment commits (recert.core.mail queues it on commit).
    send_receipt(invoice, actor=actor)
    return payment, True


def _renew_certification(certification: Certification, cycle: Cycle, reason: str, *,
                         actor, passed_on: date | None = None) -> Cycle:
    """Closes `cycle` for `reason` and opens the next on the original schedule; the stored
    status goes back to active. With `passed_on` (an exam), the new cycle is the one on
    the original schedule that contains that day."""
    cycle.closed_at = timezone.now()
    cycle.closed_reason = reason
    cycle.save(update_fields=["closed_at", "closed_reason"])
    following = following_cycle(certification.program.body.code, certification.certified_on,
                                cycle.start, cycle.end, reaching=passed_on)
    new = Cycle.objects.create(certification=certification, number=cycle.number + 1,
                               start=following.start, end=following.end)
    old_status = certification.status
    if old_status != rules_model.ACTIVE:
        certification.status = rules_model.ACTIVE
        certification.save(update_fields=["status", "updated_at"])
    history.record(reason, certification, actor=actor, professional=certification.professional,
                   changes={
                       "cycle": [[cycle.start.isoformat(), cycle.end.isoformat()],
                                 [new.start.isoformat(), new.end.isoformat()]],
                       "status": [old_status, rules_model.ACTIVE],
                   })
    return new


@transaction.atomic
def do_complete_renewal(renewal: Renewal, *, actor) -> Renewal:
    """After payment: each renewed certification's cycle closes as renewed and the next
    starts on the original schedule (a late renewal does not shift it). Idempotent."""
    renewal = Renewal.objects.select_for_update().get(pk=renewal.pk)
    if renewal.status == Renewal.COMPLETED:
        return renewal
    for item in renewal.items.filter(active=True).select_related(
            "certification__program__body", "cycle"):
        cycle = Cycle.objects.select_for_update().get(pk=item.cycle_id)
        if cycle.closed_at is None:
            _renew_certification(item.certification, cycle, "renewed", actor=actor)
    renewal.status = Renewal.COMPLETED
    renewal.completed_at = timezone.now()
    renewal.save(update_fields=["status", "completed_at"])
    history.record(History.Action.COMPLETE, renewal, actor=actor, professional=renewal.professional,
                   changes={"status": [Renewal.PENDING_PAYMENT, Renewal.COMPLETED]})
    return renewal


@transaction.atomic
def do_record_exam_pass(certification: Certification, passed_on: date, *, actor) -> Cycle:
    """Option 2 (ACSM-EXAM-1): a passed exam renews like a paid renewal, without a CEC
    check or a fee. The new cycle keeps the original schedule (the one holding the day)."""
    certification = Certification.objects.select_for_update().get(pk=certification.pk)
    cycle = _open_cycle(certification)
    if cycle is None:
        raise ValidationError("This certification has no open cycle.")
    for item in RenewalItem.objects.filter(cycle=cycle, active=True).select_related("renewal"):
        if item.renewal.status == Renewal.PENDING_PAYMENT and not _is_paid(item.renewal):
            _cancel(item.renewal, actor=actor)
    new = _renew_certification(certification, cycle, "exam", actor=actor, passed_on=passed_on)
    history.record(History.Action.RECORD_EXAM_PASS, certification, actor=actor,
                   professional=certification.professional,
                   changes={"passed_on": [None, passed_on.isoformat()]})
    return new


@transaction.atomic
def do_reinstate_certification(certification: Certification, reason: str, *, actor,
                               as_of: date) -> Certification:
    """Staff restore a certification, with the reason on record. A cycle that has already
    ended closes (as reinstated) and the cycle on the original schedule holding `as_of`
    opens."""
    reason = reason.strip()
    if not reason:
        raise ValidationError("A reason is required to reinstate a certification.")
    certification = Certification.objects.select_for_update().get(pk=certification.pk)
    cycle = _open_cycle(certification)
    changes: dict = {"reason": [None, reason]}
    if cycle is not None and cycle.end < as_of:
        cycle.closed_at = timezone.now()
        cycle.closed_reason = "reinstated"
        cycle.save(update_fields=["closed_at", "closed_reason"])
        following = following_cycle(certification.program.body.code,
                                    certification.certified_on, cycle.start, cycle.end,
                                    reaching=as_of)
        new = Cycle.objects.create(certification=certification, number=cycle.number + 1,
                                   start=following.start, end=following.end)
        changes["cycle"] = [[cycle.start.isoformat(), cycle.end.isoformat()],
                            [new.start.isoformat(), new.end.isoformat()]]
    if certification.status != rules_model.ACTIVE:
        changes["status"] = [certification.status, rules_model.ACTIVE]
        certification.status = rules_model.ACTIVE
        certification.save(update_fields=["status", "updated_at"])
    history.record(History.Action.REINSTATE, certification, actor=actor,
                   professional=certification.professional, changes=changes)
    return certification


@transaction.atomic
def do_set_status(certification: Certification, status: str, *, actor) -> bool:
    """Stores the engine's status; a change writes a history row. False if unchanged."""
    certification = Certification.objects.select_for_update().get(pk=certification.pk)
    if certification.status == status:
        return False
    old = certification.status
    certification.status = status
    certification.save(update_fields=["status", "updated_at"])
    history.record(History.Action.STATUS_CHANGE, certification, actor=actor,
                   professional=certification.professional, changes={"status": [old, status]})
    return True


def do_set_statuses(statuses: dict[int, str], *, actor) -> list[int]:
    """`do_set_status` of many certifications ({id: the engine's status}) at once: the rows
    locked and read again, only those that differ written (one UPDATE), a history row each
    (one INSERT). Returns the ids of the certifications changed; running it twice, or on two
    workers at once, changes each once."""
    if not statuses:
        return []  # not even a savepoint
    with transaction.atomic():
        changed = []
        now = timezone.now()
        for certification in (Certification.objects.select_for_update()
                              .filter(pk__in=list(statuses)).order_by("pk")):
            new = statuses[certification.pk]
            if certification.status != new:
                changed.append((certification, certification.status, new))
                certification.status, certification.updated_at = new, now
        if not changed:
            return []
        Certification.objects.bulk_update([c for c, _, _ in changed], ["status", "updated_at"])
        history.record_many(History.Action.STATUS_CHANGE,
                            [(c, c.professional_id, {"status": [old, new]})
                             for c, old, new in changed], actor=actor)
        # bulk_update sends no post_save: move the evaluation versions as a save would.
        bump_evaluation_versions({c.professional_id for c, _, _ in changed})
    return [c.pk for c, _, _ in changed]


@transaction.atomic
def do_record_reminder(cycle: Cycle, kind: str, due_on: date, email: str, *,
                       actor) -> Reminder | None:
    """The row that says a reminder went out; None if this kind was already sent for the
    cycle (the unique constraint decides, so two runs at once send it once)."""
    reminder, created = Reminder.objects.get_or_create(
        cycle=cycle, kind=kind,
        defaults={"due_on": due_on, "sent_at": timezone.now(), "email": email},
    )
    if not created:
        return None
    certification = cycle.certification
    history.record(History.Action.SEND_REMINDER, certification, actor=actor,
                   professional=certification.professional,
                   changes={"reminder": [None, kind], "cycle": [None, cycle.number],
                            "email": [None, email]})
    return reminder


@transaction.atomic
def do_update_contact_details(professional: Professional, *, actor, **fields) -> Professional:
    from recert.core.actions.professionals import do_update_professional

    return do_update_professional(professional, actor=actor, **fields)


# --- Online payment: the checkout session and Stripe's word that it was paid ------------

# A stored session this close to Stripe's expiry is not offered again: a new one is made.
CHECKOUT_MARGIN = timedelta(minutes=10)


def do_start_checkout(invoice: Invoice, *, success_url: str, cancel_url: str,
                      actor) -> str:
    """The page where the professional pays `invoice` online (its URL).

    The invoice is first settled against the engine today (voided if a certification is
    invalid: PaymentRefused; re-priced in grace). Then, with the invoice row locked, an
    open session is reused, or one session is made for the next attempt and stored with a
    history row: two clicks at once wait for each other and make one session. Stripe's
    idempotency key (invoice, attempt, total) covers what the lock cannot (a retried call).
    GatewayError if Stripe cannot be reached; nothing is stored then."""
    current = Invoice.objects.select_related("professional", "renewal").get(pk=invoice.pk)
    if current.status != Invoice.OPEN:
        raise PaymentRefused(f"Invoice {current.number} is {current.get_status_display()}.")
    check = settle_invoice(current, timezone.localdate(), actor=actor)
    if check.invalid:
        raise PaymentRefused(invalid_message(current, check))
    gateway = gateways.get("stripe")
    with transaction.atomic():
        invoice = (Invoice.objects.select_for_update().select_related("professional")
                   .get(pk=invoice.pk))
        if invoice.status != Invoice.OPEN:
            raise PaymentRefused(f"Invoice {invoice.number} is "
                                 f"{invoice.get_status_display()}.")
        now = timezone.now()
        if invoice.checkout_session_id and invoice.checkout_url and (
                invoice.checkout_expires_at is None
                or invoice.checkout_expires_at > now + CHECKOUT_MARGIN):
            return invoice.checkout_url
        old_session = invoice.checkout_session_id
        attempt = invoice.checkout_attempt + 1
        checkout = gateway.start_checkout(invoice, success_url=success_url,
                                          cancel_url=cancel_url, attempt=attempt)
        invoice.checkout_session_id = checkout.session_id
        invoice.checkout_url = checkout.redirect_url or ""
        invoice.checkout_expires_at = checkout.expires_at
        invoice.checkout_attempt = attempt
        invoice.gateway = gateway.name
        invoice.save(update_fields=[*CHECKOUT_FIELDS, "checkout_attempt", "gateway"])
        history.record(History.Action.START_CHECKOUT, invoice, actor=actor,
                       professional=invoice.professional,
                       changes={"checkout_session": [old_session or None, checkout.session_id],
                                "attempt": [attempt - 1, attempt],
                                "total": [None, history._jsonable(invoice.total)]})
        return invoice.checkout_url


class StripeOutcome(StrEnum):
    """What the webhook answers Stripe: all are 200 (a held payment is not Stripe's to
    retry), so the words only tell a person reading the log."""

    APPLIED = "ok"
    IGNORED = "ignored"
    HELD = "refused"


def _paid_at(event: dict) -> datetime | None:
    """When Stripe took the money (the event's creation time): a card paid on the last day
    of the cycle, confirmed after midnight, was paid on time."""
    try:
        return datetime.fromtimestamp(int(event["created"]), tz=UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        return None


@transaction.atomic
def _hold_payment(event: dict, session: dict, invoice: Invoice | None, number, reason: str
                  ) -> None:
    """Money was taken and cannot be applied: kept for staff to refund (a PaymentIssue
    with a history row), once per Stripe session even when the event is replayed."""
    session_id = str(session.get("id") or "")
    log.error("Stripe payment %s not applied to invoice %r: %s", session_id, number, reason)
    issue, created = PaymentIssue.objects.get_or_create(
        gateway="stripe", reference=session_id or f"event:{event.get('id')}",
        defaults={"invoice": invoice, "reason": reason, "payload": {
            "event": event.get("id"), "session": session_id, "invoice": number,
            "amount_total": session.get("amount_total"),
            "currency": str(session.get("currency") or "").lower(),
            "payment_intent": session.get("payment_intent"),
            "customer_email": (session.get("customer_details") or {}).get("email")
            or session.get("customer_email"),
        }})
    if created:
        history.record(History.Action.RECORD_PAYMENT_ISSUE, issue, actor=None,
                       professional=invoice.professional if invoice else None,
                       changes={"invoice": [None, number], "reason": [None, reason]})


def do_apply_stripe_checkout(event: dict) -> StripeOutcome:
    """A verified Stripe event. checkout.session.completed and paid → the invoice is paid
    (do_record_payment, keyed by the session: a replay changes nothing). A payment that
    cannot be applied (unknown invoice, a session the invoice no longer holds, another
    currency or amount, a void or already paid invoice) is held for staff."""
    try:
        kind = event["type"]
        session = event["data"]["object"]
        if not isinstance(session, dict):
            raise TypeError
    except (KeyError, TypeError):
        raise ValueError("malformed event") from None
    if kind != "checkout.session.completed" or session.get("payment_status") != "paid":
        return StripeOutcome.IGNORED
    number = session.get("client_reference_id") or (session.get("metadata") or {}).get("invoice")
    session_id = str(session.get("id") or "")
    try:
        amount = Decimal(int(session.get("amount_total") or 0)) / 100
    except (TypeError, ValueError):
        raise ValueError("malformed amount") from None
    currency = str(session.get("currency") or "").lower()
    key = f"stripe:{session_id}"
    if Payment.objects.filter(idempotency_key=key).exists():
        return StripeOutcome.APPLIED  # a replay of an event already applied
    invoice = Invoice.objects.filter(number=str(number or "")).first()

    def hold(reason: str) -> StripeOutcome:
        _hold_payment(event, session, invoice, number, reason)
        return StripeOutcome.HELD

    if invoice is None:
        return hold("No such invoice.")
    if not session_id or session_id != invoice.checkout_session_id:
        return hold(f"Checkout session {session_id or '(none)'} is not the invoice's current "
                    f"one ({invoice.checkout_session_id or 'none'}): it was voided or "
                    "re-priced after this page was opened.")
    if currency != invoice.currency.lower():
        return hold(f"Paid in {currency.upper() or '(no currency)'}, the invoice is in "
                    f"{invoice.currency}.")
    if amount != invoice.total:
        return hold(f"Paid {amount}, the invoice is {invoice.total}.")
    try:
        payment, created = do_record_payment(
            invoice, gateway="stripe",
            reference=str(session.get("payment_intent") or session_id),
            amount=amount, idempotency_key=key, actor=None, received_at=_paid_at(event))
    except PaymentRefused as e:
        return hold(str(e))
    if not created and payment.idempotency_key != key:
        return hold(f"Invoice {invoice.number} was already paid ({payment.gateway}, "
                    f"{payment.reference or 'no reference'}): this is a second charge.")
    return StripeOutcome.APPLIED


@transaction.atomic
def do_resolve_payment_issues(issues, *, actor) -> int:
    """Finance staff mark payment issues resolved (refunded or settled): each one that was
    open is changed and gets a history row (on its invoice's professional). Returns how many
    were open."""
    count = 0
    # Lock the issues themselves (the invoice is on the nullable side of a join).
    for issue in issues.select_for_update(of=("self",)).filter(
            resolved=False).select_related("invoice__professional"):
        issue.resolved = True
        issue.save(update_fields=["resolved"])
        professional = issue.invoice.professional if issue.invoice_id else None
        history.record(History.Action.UPDATE, issue, actor=actor, professional=professional,
                       changes={"resolved": [False, True]})
        count += 1
    return count
