"""Payment gateways behind one interface: offline (staff record a cheque or phone payment)
and Stripe Checkout (a hosted page; the webhook tells us it was paid).

Stripe is called through its official SDK (stripe.StripeClient) at settings.STRIPE_API_BASE,
so tests point it at a local fake.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import stripe
from django.conf import settings

from recert.renewals.models import Invoice

log = logging.getLogger(__name__)

class GatewayError(Exception):
    """The gateway could not be reached or refused the request; the message says why."""


class SignatureError(Exception):
    """A webhook whose signature does not verify (or is too old)."""


@dataclass(frozen=True)
class Checkout:
    """Where to send the professional to pay, or None when someone else records it."""

    redirect_url: str | None
    session_id: str = ""
    expires_at: datetime | None = None


class Gateway:
    name = ""
    label = ""

    def start_checkout(self, invoice: Invoice, *, success_url: str, cancel_url: str) -> Checkout:
        raise NotImplementedError


class OfflineGateway(Gateway):
    """Cheque or phone: nothing happens online; staff record the payment when it arrives."""

    name = "offline"
    label = "Pay by cheque or phone (staff record the payment)"

    def start_checkout(self, invoice: Invoice, *, success_url: str, cancel_url: str) -> Checkout:
        return Checkout(redirect_url=None)


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


class StripeCheckoutGateway(Gateway):
    """Stripe Checkout through the official SDK. Every call carries an idempotency key, so a
    retried request never opens a second session or expires twice."""

    name = "stripe"
    label = "Pay online by card (Stripe)"

    def __init__(self, secret_key: str | None = None, api_base: str | None = None):
        self.client = stripe.StripeClient(
            secret_key if secret_key is not None else settings.STRIPE_SECRET_KEY,
            base_addresses={"api": (api_base or settings.STRIPE_API_BASE).rstrip("/")},
            # Safe to retry: the idempotency key makes a retry the same request.
            max_network_retries=1,
        )

    def start_checkout(self, invoice: Invoice, *, success_url: str, cancel_url: str,
                       attempt: int = 1) -> Checkout:
        params = {
            "mode": "payment",
            "success_url": success_url,
            "cancel_url": cancel_url,
            "client_reference_id": invoice.number,
            "metadata": {"invoice": invoice.number},
            "customer_email": invoice.professional.email or "",
            "line_items": [
                {"quantity": 1,
                 "price_data": {"currency": invoice.currency.lower(),
                                "unit_amount": cents(line.amount),
                                "product_data": {"name": line.description}}}
                for line in invoice.lines.all()
            ],
        }
        # Stripe's own idempotency: the same invoice, attempt and total never open two
        # sessions, even when our own row lock is not there (two servers, a retried call).
        key = f"checkout-{invoice.number}-{attempt}-{cents(invoice.total)}"
        try:
            session = self.client.v1.checkout.sessions.create(
                params=params, options={"idempotency_key": key})
        except stripe.StripeError as e:
            raise GatewayError(_describe(e)) from None
        session_id, url = getattr(session, "id", None), getattr(session, "url", None)
        if not session_id or not url:
            raise GatewayError("Stripe answered without a checkout session.")
        expires_at = getattr(session, "expires_at", None)
        return Checkout(redirect_url=url, session_id=session_id,
                        expires_at=datetime.fromtimestamp(int(expires_at), tz=UTC)
                        if expires_at else None)

    def expire_checkout(self, session_id: str) -> None:
        """Stripe's expire call: the page can no longer be paid."""
        try:
            self.client.v1.checkout.sessions.expire(
                session_id, options={"idempotency_key": f"expire-{session_id}"})
        except stripe.StripeError as e:
            raise GatewayError(_describe(e)) from None


def _describe(error: stripe.StripeError) -> str:
    if isinstance(error, stripe.APIConnectionError):
        return "Stripe could not be reached."
    status = getattr(error, "http_status", None)
    return f"Stripe refused the request (HTTP {status or '?'}: {error.user_message or ''})."


def construct_event(payload: bytes, header: str) -> dict:
    """The verified webhook event as plain data. Stripe's scheme (HMAC-SHA256 of
    "<t>.<body>" with the endpoint secret, a timestamp older than five minutes refused) is
    checked by the SDK's Webhook.construct_event; SignatureError if it fails, ValueError if
    the body is not a JSON event."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise SignatureError("no webhook secret configured")
    try:
        event = stripe.Webhook.construct_event(payload, header or "", secret)
    except stripe.SignatureVerificationError as e:
        raise SignatureError(str(e.user_message or "signature does not match")) from None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ValueError("malformed event") from None
    return event.to_dict() if isinstance(event, stripe.StripeObject) else {}


GATEWAYS: dict[str, type[Gateway]] = {"offline": OfflineGateway, "stripe": StripeCheckoutGateway}


def available() -> list[Gateway]:
    """Offline always; Stripe when its keys are configured."""
    out: list[Gateway] = [OfflineGateway()]
    if settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET:
        out.append(StripeCheckoutGateway())
    return out


def expire_checkout_session(session_id: str) -> None:
    """Expires a stored Checkout Session (its invoice was voided or re-priced) so it cannot
    take money any more. A failure is logged: the webhook still refuses a payment for a
    session the invoice no longer holds, and records it for staff."""
    if not session_id or not (settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET):
        return
    try:
        StripeCheckoutGateway().expire_checkout(session_id)
    except GatewayError as e:
        log.error("Could not expire Stripe checkout session %s: %s", session_id, e)


def get(name: str) -> Gateway:
    for gateway in available():
        if gateway.name == name:
            return gateway
    raise GatewayError(f"Unknown or unconfigured payment method {name!r}.")
