"""Payment is idempotent: double submit, retried request, replayed webhook and concurrent
threads make one payment and one renewal. Stripe is a local fake, never the internet."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from recert.core.models import Cycle
from recert.renewals.actions import PaymentRefused, do_record_payment
from recert.renewals.models import Invoice, Payment, PaymentIssue, Renewal
from tests.factories import log, pay_offline, renewal_form, stripe_signature

WEBHOOK_SECRET = "whsec_test_local"


class FakeStripe:
    """Stripe's POST /v1/checkout/sessions (honouring Idempotency-Key) and
    POST /v1/checkout/sessions/{id}/expire on 127.0.0.1."""

    def __init__(self):
        self.requests: list[dict] = []
        self.sessions: dict[str, dict] = {}
        self.expired: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                fake.requests.append({"path": self.path, "headers": dict(self.headers),
                                      "form": parse_qs(body)})
                if self.path.startswith("/v1/checkout/sessions/") and \
                        self.path.endswith("/expire") and \
                        self.headers.get("Authorization") == "Bearer sk_test_local":
                    sid = self.path.split("/")[4]
                    found = [s for s in fake.sessions.values() if s["id"] == sid]
                    if not found or found[0].get("status") == "expired":
                        self.send_response(400 if found else 404)
                        self.end_headers()
                        return
                    found[0]["status"] = "expired"
                    fake.expired.append(sid)
                    payload = json.dumps(found[0]).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
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
                               "url": f"{fake.url}/pay/{sid}",
                               "expires_at": int(time.time()) + 24 * 3600}
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


def _event(invoice, session_id, amount=None, currency="usd", created=None):
    return json.dumps({
        "id": "evt_1", "type": "checkout.session.completed",
        **({"created": created} if created is not None else {}),
        "data": {"object": {"id": session_id, "object": "checkout.session",
                            "client_reference_id": invoice.number,
                            "metadata": {"invoice": invoice.number},
                            "amount_total": amount if amount is not None
                            else int(invoice.total * 100),
                            "currency": currency,
                            "payment_status": "paid", "payment_intent": "pi_123"}},
    }).encode()


def _post_webhook(client, payload, secret=WEBHOOK_SECRET, timestamp=None):
    return client.post(reverse("renewals:stripe_webhook"), payload,
                       content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=stripe_signature(payload, secret, timestamp))


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
                           HTTP_STRIPE_SIGNATURE=stripe_signature(payload, WEBHOOK_SECRET))
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
    assert b"The payment service could not be reached; nothing was charged" in response.content
    assert b"Errno" not in response.content and b"refused" not in response.content
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


# --- A stale invoice never revives an invalid certification (ACSM-GRACE-1) -------------

def _open_checkout(client, invoice):
    response = client.post(reverse("renewals:pay_online", args=[invoice.number]))
    assert response.status_code == 302
    invoice.refresh_from_db()
    return invoice.checkout_session_id


def test_paying_after_the_grace_period_is_refused_and_voids_the_invoice(invoice, sam):
    from datetime import datetime

    with pytest.raises(PaymentRefused, match="invalid; only passing the certification exam"):
        do_record_payment(invoice, gateway="offline", reference="cheque", amount=invoice.total,
                          idempotency_key="offline:late", actor=sam,
                          received_at=datetime(2029, 7, 2, 12, tzinfo=UTC))
    invoice.refresh_from_db()
    assert invoice.status == "void" and not Payment.objects.exists()
    assert Renewal.objects.get().status == "cancelled"
    assert Cycle.objects.filter(certification__professional=invoice.professional).count() == 1


def test_nightly_voids_open_invoices_of_invalid_certifications(invoice, alice_cpt, sam):
    from recert.core.models import History
    from recert.renewals.lifecycle import run_nightly

    run_nightly(date(2029, 6, 30))  # last day of grace: still payable
    invoice.refresh_from_db()
    assert invoice.status == "open"
    report = run_nightly(date(2029, 7, 1))
    invoice.refresh_from_db()
    alice_cpt.refresh_from_db()
    assert invoice.status == "void" and alice_cpt.status == "invalid"
    assert report.invoices_voided == 1
    assert History.objects.filter(action="void", object_type="invoice",
                                  object_id=invoice.pk).exists()
    with pytest.raises(PaymentRefused, match="void"):
        pay_offline(invoice, sam)
    alice_cpt.refresh_from_db()
    assert alice_cpt.status == "invalid" and not Payment.objects.exists()


def test_invalid_invoice_is_not_offered_online(client, invoice, fake_stripe):
    with time_machine.travel(date(2029, 7, 3), tick=False):
        client.force_login(invoice.professional.user)
        page = client.get(reverse("renewals:invoice", args=[invoice.number]))
        assert b"online" not in page.content and b"only passing the certification exam" \
            in page.content
        response = client.post(reverse("renewals:pay_online", args=[invoice.number]),
                               follow=True)
        assert b"can no longer be paid" in response.content
    assert not fake_stripe.requests
    invoice.refresh_from_db()
    assert invoice.status == "void"


def test_filed_on_time_paid_in_grace_owes_the_late_fee(invoice, alice_cpt, sam):
    from datetime import datetime

    in_grace = datetime(2029, 2, 1, 12, tzinfo=UTC)
    with pytest.raises(PaymentRefused, match="includes the late fee"):
        do_record_payment(invoice, gateway="offline", reference="cheque",
                          amount=Decimal("45.00"), idempotency_key="offline:a", actor=sam,
                          received_at=in_grace)
    invoice.refresh_from_db()
    assert invoice.status == "open" and invoice.total == Decimal("70.00")
    assert [(ln.kind, ln.amount) for ln in invoice.lines.all()] == [
        ("fee", Decimal("45.00")), ("late_fee", Decimal("25.00"))]
    # The line is found by its kind, not its words: re-checking adds no second late fee.
    from recert.renewals.actions import check_invoice

    assert check_invoice(invoice, in_grace.date()).late_fee == 0
    payment, created = do_record_payment(
        invoice, gateway="offline", reference="cheque", amount=Decimal("70.00"),
        idempotency_key="offline:b", actor=sam, received_at=in_grace)
    assert created and payment.amount == Decimal("70.00")
    alice_cpt.refresh_from_db()
    assert alice_cpt.status == "active"


def test_nightly_adds_the_late_fee_in_grace_and_expires_the_checkout(
        client, invoice, fake_stripe, django_capture_on_commit_callbacks):
    from recert.renewals.lifecycle import run_nightly

    session = _open_checkout(client, invoice)
    with django_capture_on_commit_callbacks(execute=True):
        report = run_nightly(date(2029, 1, 2))
        run_nightly(date(2029, 1, 3))
    invoice.refresh_from_db()
    assert report.invoices_repriced == 1 and invoice.total == Decimal("70.00")
    assert invoice.checkout_session_id == "" and fake_stripe.expired == [session]
    # The old page, paid anyway (before it expired): recorded for a refund, not applied.
    assert _post_webhook(client, _event(invoice, session, amount=4500)).status_code == 200
    assert not Payment.objects.exists()
    issue = PaymentIssue.objects.get()
    assert issue.invoice == invoice and issue.reference == session
    assert "not the invoice's current one" in issue.reason and not issue.resolved
    # A new checkout takes the new price.
    with time_machine.travel(date(2029, 1, 4), tick=False):
        client.force_login(invoice.professional.user)
        new_session = _open_checkout(client, invoice)
    assert new_session != session
    assert fake_stripe.requests[-1]["form"]["line_items[1][price_data][unit_amount]"] == ["2500"]


# --- Stripe events that cannot be applied are kept for staff ----------------------------

def test_voiding_expires_the_checkout_session(client, invoice, alice_cpt, sam, fake_stripe,
                                              django_capture_on_commit_callbacks):
    from recert.renewals.actions import do_record_exam_pass

    session = _open_checkout(client, invoice)
    with django_capture_on_commit_callbacks(execute=True):
        do_record_exam_pass(alice_cpt, date(2028, 5, 1), actor=sam)
    assert fake_stripe.expired == [session]
    assert _post_webhook(client, _event(invoice, session)).status_code == 200
    assert Payment.objects.filter(invoice=invoice).count() == 0
    assert "void" in PaymentIssue.objects.get(reference=session).reason


def test_stripe_after_cheque_is_a_second_charge_for_staff(client, invoice, sam, fake_stripe):
    session = _open_checkout(client, invoice)
    pay_offline(invoice, sam)
    payload = _event(invoice, session)
    assert _post_webhook(client, payload).status_code == 200
    assert _post_webhook(client, payload).status_code == 200  # replayed
    assert Payment.objects.count() == 1 and Payment.objects.get().gateway == "offline"
    issue = PaymentIssue.objects.get()
    assert "second charge" in issue.reason and issue.payload["amount_total"] == 4500
    client.force_login(sam)
    page = client.get(reverse("admin:renewals_paymentissue_changelist"))
    assert page.status_code == 200 and session in page.content.decode()


def test_webhook_currency_and_session_must_match(client, invoice, fake_stripe):
    session = _open_checkout(client, invoice)
    assert _post_webhook(client, _event(invoice, session, currency="eur")).status_code == 200
    assert _post_webhook(client, _event(invoice, "cs_other")).status_code == 200
    assert not Payment.objects.exists()
    reasons = sorted(i.reason for i in PaymentIssue.objects.all())
    assert "EUR" in reasons[1] and "cs_other" in reasons[0]


def test_card_paid_on_the_last_day_confirmed_after_midnight_is_on_time(client, invoice,
                                                                       fake_stripe):
    from datetime import UTC, datetime

    session = _open_checkout(client, invoice)
    paid = int(datetime(2028, 12, 31, 18, tzinfo=UTC).timestamp())
    with time_machine.travel(date(2029, 1, 1), tick=False):
        response = _post_webhook(client, _event(invoice, session, created=paid))
    assert response.status_code == 200 and not PaymentIssue.objects.exists()
    assert Payment.objects.get().amount == Decimal("45.00")


# --- "Pay" clicked twice: one Checkout session per invoice and attempt -----------------

def _at_once(n, call):
    """Runs `call` in n threads released together; returns (results, exceptions)."""
    barrier, results, errors = threading.Barrier(n), [], []

    def run():
        from django.db import connection as thread_connection
        try:
            barrier.wait()
            results.append(call())
        except Exception as e:  # noqa: BLE001 (returned to the test)
            errors.append(e)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def _checkout_requests(fake):
    return [r for r in fake.requests if r["path"] == "/v1/checkout/sessions"]


def test_a_second_click_reuses_the_open_session_and_history_records_it(client, invoice,
                                                                       fake_stripe):
    from recert.core.models import History

    first = client.post(reverse("renewals:pay_online", args=[invoice.number]))
    second = client.post(reverse("renewals:pay_online", args=[invoice.number]))
    assert first.url == second.url == f"{fake_stripe.url}/pay/cs_test_1"
    assert len(_checkout_requests(fake_stripe)) == 1
    sent = _checkout_requests(fake_stripe)[0]["headers"]
    assert sent["Idempotency-Key"] == f"checkout-{invoice.number}-1-4500"
    invoice.refresh_from_db()
    assert (invoice.checkout_attempt, invoice.gateway) == (1, "stripe")
    assert invoice.checkout_expires_at is not None
    [row] = History.objects.of(invoice).filter(action=History.Action.START_CHECKOUT)
    assert row.actor == invoice.professional.user
    assert row.changes["checkout_session"] == [None, "cs_test_1"]


def test_a_session_about_to_expire_is_replaced_by_a_new_attempt(client, invoice, fake_stripe):
    from datetime import timedelta

    from django.utils import timezone

    _open_checkout(client, invoice)
    Invoice.objects.filter(pk=invoice.pk).update(
        checkout_expires_at=timezone.now() + timedelta(minutes=1))
    assert _open_checkout(client, invoice) == "cs_test_2"
    keys = [r["headers"]["Idempotency-Key"] for r in _checkout_requests(fake_stripe)]
    assert keys == [f"checkout-{invoice.number}-1-4500", f"checkout-{invoice.number}-2-4500"]


def test_paying_a_paid_invoice_online_says_so(client, invoice, sam, fake_stripe):
    pay_offline(invoice, sam)
    response = client.post(reverse("renewals:pay_online", args=[invoice.number]), follow=True)
    assert f"Invoice {invoice.number} is paid".encode() in response.content
    assert not _checkout_requests(fake_stripe)


def test_a_held_stripe_payment_has_a_history_row(client, invoice, fake_stripe):
    from recert.core.models import History

    assert _post_webhook(client, _event(invoice, "cs_x", amount=100)).content == b"refused"
    issue = PaymentIssue.objects.get()
    [row] = History.objects.of(issue)
    assert row.action == History.Action.RECORD_PAYMENT_ISSUE and row.actor is None
    assert row.professional == invoice.professional
    # Replayed: still one issue and one row.
    _post_webhook(client, _event(invoice, "cs_x", amount=100))
    assert History.objects.of(issue).count() == 1


@pytest.mark.parametrize("payload", [b"not json", b'{"type": "checkout.session.completed"}',
                                     b'{"type": "checkout.session.completed", "data": 3}'])
def test_a_signed_but_malformed_event_is_a_400(client, fake_stripe, payload):
    assert _post_webhook(client, payload).status_code == 400


def test_webhook_without_a_configured_secret_refuses(client, invoice, fake_stripe, settings):
    payload = _event(invoice, "cs_test_1")
    settings.STRIPE_WEBHOOK_SECRET = ""
    assert _post_webhook(client, payload).status_code == 400


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_make_one_checkout_session(alice, alice_cpt, fake_stripe):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no row locks (select_for_update is a no-op)")
    from recert.core.models import History
    from recert.renewals.actions import do_start_checkout, do_start_renewal
    from recert.renewals.quotes import quote_renewal

    log(alice, date(2026, 2, 1), "45", "ACSM")
    with time_machine.travel(date(2028, 5, 2), tick=False):
        quote = quote_renewal(alice, alice_cpt.pk, date(2028, 5, 2))
        invoice = do_start_renewal(
            quote, cecs_through_body=Decimal("45"), cecs_other=Decimal("0"),
            cpr_aed_valid_until=date(2030, 1, 1), confirmed_details={},
            actor=alice.user).invoice
        # Without the row lock each click would make its own attempt (and session).
        urls, errors = _at_once(2, lambda: do_start_checkout(
            invoice, success_url="http://t/ok", cancel_url="http://t/no", actor=alice.user))
    assert not errors
    assert urls == [f"{fake_stripe.url}/pay/cs_test_1"] * 2
    assert len(_checkout_requests(fake_stripe)) == 1
    invoice.refresh_from_db()
    assert (invoice.checkout_session_id, invoice.checkout_attempt) == ("cs_test_1", 1)
    assert History.objects.of(invoice).filter(action=History.Action.START_CHECKOUT).count() == 1
