"""Payment gateways behind one interface: offline (staff record a cheque or phone payment)
and Stripe Checkout (a hosted page; the webhook tells us it was paid).

Stripe is called with urllib against settings.STRIPE_API_BASE, so tests point it at a
local fake and nothing here needs Stripe's library.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from decimal import Decimal

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
    name = "stripe"
    label = "Pay online by card (Stripe)"

    def __init__(self, secret_key: str | None = None, api_base: str | None = None,
                 timeout: float = 10.0):
        self.secret_key = secret_key if secret_key is not None else settings.STRIPE_SECRET_KEY
        self.api_base = (api_base or settings.STRIPE_API_BASE).rstrip("/")
        self.timeout = timeout

    def start_checkout(self, invoice: Invoice, *, success_url: str, cancel_url: str) -> Checkout:
        fields = [
            ("mode", "payment"),
            ("success_url", success_url),
            ("cancel_url", cancel_url),
            ("client_reference_id", invoice.number),
            ("metadata[invoice]", invoice.number),
            ("customer_email", invoice.professional.email or ""),
        ]
        for i, line in enumerate(invoice.lines.all()):
            fields += [
                (f"line_items[{i}][quantity]", "1"),
                (f"line_items[{i}][price_data][currency]", invoice.currency.lower()),
                (f"line_items[{i}][price_data][unit_amount]", str(cents(line.amount))),
                (f"line_items[{i}][price_data][product_data][name]", line.description),
            ]
        # Stripe's own idempotency: the same invoice and total never open two sessions.
        key = f"checkout-{invoice.number}-{cents(invoice.total)}"
        session = self._post("/v1/checkout/sessions", fields, idempotency_key=key)
        if not session.get("id") or not session.get("url"):
            raise GatewayError("Stripe answered without a checkout session.")
        return Checkout(redirect_url=session["url"], session_id=session["id"])

    def expire_checkout(self, session_id: str) -> None:
        """Stripe's POST /v1/checkout/sessions/{id}/expire: the page can no longer be paid."""
        self._post(f"/v1/checkout/sessions/{urllib.parse.quote(session_id, safe='')}/expire",
                   [], idempotency_key=f"expire-{session_id}")

    def _post(self, path: str, fields: list[tuple[str, str]], *, idempotency_key: str) -> dict:
        request = urllib.request.Request(
            self.api_base + path,
            data=urllib.parse.urlencode(fields).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {self.secret_key}",
                     "Content-Type": "application/x-www-form-urlencoded",
                     "Idempotency-Key": idempotency_key},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return json.loads(response.read().decode())
        except urllib.error.HTTPError as e:
            raise GatewayError(f"Stripe refused the request (HTTP {e.code}).") from None
        except (urllib.error.URLError, TimeoutError, ValueError) as e:
            raise GatewayError(f"Stripe could not be reached ({e}).") from None


def sign_payload(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A Stripe-Signature header value for `payload` (what Stripe sends; used by tests)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(payload: bytes, header: str, secret: str, *,
                     tolerance: int = 300, now: float | None = None) -> None:
    """Stripe's scheme: HMAC-SHA256 of "<t>.<body>" with the endpoint secret, compared in
    constant time against every v1 signature; a timestamp older than `tolerance` seconds is
    refused (a replay long after the fact)."""
    if not secret:
        raise SignatureError("no webhook secret configured")
    parts: dict[str, list[str]] = {}
    for item in (header or "").split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts.get("t", [""])[0])
    except ValueError:
        raise SignatureError("no timestamp in the signature header") from None
    signed = f"{timestamp}.".encode() + payload
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, v) for v in parts.get("v1", [])):
        raise SignatureError("signature does not match")
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError("timestamp outside the tolerance")


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
