"""Payment is idempotent: double submit, retried request, replayed webhook and concurrent
threads make one payment and one renewal. Stripe is a local fake, never the internet."""

from __future__ import annotations

import json
import threading
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from renewals_support import log, pay_offline, renewal_form

from recert.core.models import Cycle
from recert.renewals import gateways
from recert.renewals.actions import PaymentRefused, do_record_payment
from recert.renewals.models import Invoice, Payment, Renewal

WEBHOOK_SECRET = "whsec_test_local"


class FakeStripe:
    """Stripe's POST /v1/checkout/sessions on 127.0.0.1, honouring Idempotency-Key."""

    def __init__(self):
        self.requests: list[dict] = []
        self.sessions: dict[str, dict] = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                fake.requests.append({"path": self.path, "headers": dict(self.headers),
                                      "form": parse_qs(body)})
                if self.path != "/v1/checkout/sessions" or \
                        self.headers.get("Authorization") != "Bearer sk_test_local":
                    self.send_response(401)
                    self.end_headers()
                    self.wfile.write(b'{"error": {"message": "bad key"}}')
                    return
                key = self.headers.get("Idempotency-Key")
                session = fake.sessions.get(key)
                if session is None:
                    sid = f"cs_test_{len(fake.sessions) + 1}"
                    session = {"id": sid, "object": "checkout.session",
                               "url": f"{fake.url}/pay/{sid}"}
                    fake.sessions[key] = session
                payload = json.dumps(session).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_stripe(settings):
    with FakeStripe() as fake:
        settings.STRIPE_SECRET_KEY = "sk_test_local"
        settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        settings.STRIPE_API_BASE = fake.url
        yield fake


@pytest.fixture
def invoice(client, alice, alice_cpt):
    log(alice, date(2026, 2, 1), "45", "ACSM")
    with time_machine.travel(date(2028, 5, 2), tick=False):
        client.force_login(alice.user)
        assert renewal_form(client, alice_cpt).status_code == 302
        yield Invoice.objects.get()


def _event(invoice, session_id, amount=None):
    return json.dumps({
        "id": "evt_1", "type": "checkout.session.completed",
        "data": {"object": {"id": session_id, "object": "checkout.session",
                            "client_reference_id": invoice.number,
                            "metadata": {"invoice": invoice.number},
                            "amount_total": amount if amount is not None
                            else int(invoice.total * 100),
                            "payment_status": "paid", "payment_intent": "pi_123"}},
    }).encode()


def _post_webhook(client, payload, secret=WEBHOOK_SECRET, timestamp=None):
    return client.post(reverse("renewals:stripe_webhook"), payload,
                       content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=gateways.sign_payload(payload, secret, timestamp))


def test_same_key_twice_is_one_payment(invoice, sam):
    first, created = pay_offline(invoice, sam)
    again, created_again = pay_offline(invoice, sam)
    assert created and not created_again and first.pk == again.pk
    other_key, created_other = do_record_payment(
        invoice, gateway="offline", reference="phone", amount=invoice.total,
        idempotency_key="another", actor=sam)
    assert not created_other and other_key.pk == first.pk
    assert Payment.objects.count() == 1 and Renewal.objects.get().status == "completed"
    assert Cycle.objects.filter(certification__professional=invoice.professional).count() == 2


def test_wrong_amount_is_refused(invoice, sam):
    with pytest.raises(PaymentRefused, match="does not match"):
        do_record_payment(invoice, gateway="offline", reference="x", amount=Decimal("1.00"),
                          idempotency_key="k", actor=sam)
    assert not Payment.objects.exists()


def test_stripe_checkout_then_webhook_replayed(client, invoice, fake_stripe):
    page = client.get(reverse("renewals:invoice", args=[invoice.number]))
    assert b"online" in page.content
    response = client.post(reverse("renewals:pay_online", args=[invoice.number]))
    assert response.status_code == 302 and response.url == f"{fake_stripe.url}/pay/cs_test_1"
    sent = fake_stripe.requests[0]
    assert sent["form"]["client_reference_id"] == [invoice.number]
    assert sent["form"]["line_items[0][price_data][unit_amount]"] == ["4500"]
    # A retried click opens the same session (Stripe's idempotency key).
    client.post(reverse("renewals:pay_online", args=[invoice.number]))
    assert len(fake_stripe.sessions) == 1
    invoice.refresh_from_db()
    assert invoice.checkout_session_id == "cs_test_1"

    payload = _event(invoice, "cs_test_1")
    assert _post_webhook(client, payload).status_code == 200
    assert _post_webhook(client, payload).status_code == 200  # replayed
    assert Payment.objects.count() == 1
    payment = Payment.objects.get()
    assert (payment.gateway, payment.reference, payment.amount) == (
        "stripe", "pi_123", Decimal("45.00"))
    assert Renewal.objects.get().status == "completed"
    # After payment the button is gone and the receipt is there.
    assert b"receipt" in client.get(reverse("renewals:invoice", args=[invoice.number])).content


def test_webhook_with_a_bad_or_stale_signature_is_refused(client, invoice, fake_stripe):
    payload = _event(invoice, "cs_test_9")
    assert _post_webhook(client, payload, secret="whsec_wrong").status_code == 400
    assert _post_webhook(client, payload, timestamp=1_000_000).status_code == 400
    tampered = client.post(reverse("renewals:stripe_webhook"), payload + b" ",
                           content_type="application/json",
                           HTTP_STRIPE_SIGNATURE=gateways.sign_payload(payload, WEBHOOK_SECRET))
    assert tampered.status_code == 400
    assert not Payment.objects.exists()


def test_webhook_with_the_wrong_amount_does_not_pay(client, invoice, fake_stripe):
    assert _post_webhook(client, _event(invoice, "cs_x", amount=100)).status_code == 200
    assert not Payment.objects.exists()


def test_stripe_unreachable_is_a_message_not_a_crash(client, invoice, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_local"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    response = client.post(reverse("renewals:pay_online", args=[invoice.number]), follow=True)
    assert b"Online payment is not available right now" in response.content
    assert not Payment.objects.exists()


def test_stripe_not_offered_without_keys(client, invoice, settings):
    settings.STRIPE_SECRET_KEY = ""
    page = client.get(reverse("renewals:invoice", args=[invoice.number]))
    assert b"Pay $45.00 online" not in page.content


@pytest.mark.django_db(transaction=True)
def test_two_threads_paying_the_same_invoice_make_one_payment(alice, alice_cpt, sam):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")
    from recert.renewals.actions import do_start_renewal
    from recert.renewals.quotes import quote_renewal

    log(alice, date(2026, 2, 1), "45", "ACSM")
    as_of = date(2028, 5, 2)
    quote = quote_renewal(alice, alice_cpt.pk, as_of)
    renewal = do_start_renewal(quote, cecs_through_body=Decimal("45"), cecs_other=Decimal("0"),
                               cpr_aed_valid_until=date(2030, 1, 1), confirmed_details={},
                               actor=alice.user)
    invoice = renewal.invoice
    barrier = threading.Barrier(2)
    results, errors = [], []

    def pay(key):
        from django.db import connection as thread_connection
        try:
            barrier.wait()
            results.append(do_record_payment(invoice, gateway="offline", reference=key,
                                             amount=invoice.total, idempotency_key=key,
                                             actor=sam))
        except Exception as e:  # noqa: BLE001 (reported below)
            errors.append(e)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=pay, args=(f"key-{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(created for _, created in results) == [False, True]
    assert Payment.objects.count() == 1
    assert Cycle.objects.filter(certification=alice_cpt).count() == 2
    assert Renewal.objects.get().status == "completed"


@pytest.mark.django_db(transaction=True)
def test_invoice_numbers_are_sequential_and_unique_under_threads(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")
    from django.db import transaction

    from recert.renewals.actions import next_invoice_number

    numbers, barrier = [], threading.Barrier(4)

    def take():
        from django.db import connection as thread_connection
        try:
            barrier.wait()
            for _ in range(5):
                with transaction.atomic():
                    numbers.append(next_invoice_number())
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(numbers) == [f"R{i:06d}" for i in range(1, 21)]
