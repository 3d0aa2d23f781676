"""A reminder through Django's SMTP backend to a real SMTP server (aiosmtpd, started here on a
free local port), read back as the server received it: both parts, the headers, and links
that open the right page for the recipient and nobody else (issue 17)."""

from __future__ import annotations

import re
import socket
from datetime import date
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from recert.core.models import History
from recert.renewals.lifecycle import run_nightly
from recert.renewals.models import Reminder

pytestmark = pytest.mark.django_db


class Inbox:
    """An aiosmtpd handler that keeps what it accepts, or answers RCPT with `refuse`."""

    def __init__(self):
        self.received: list[tuple[list[str], bytes]] = []
        self.refuse = ""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    yield inbox
    controller.stop()


def test_a_reminder_arrives_with_both_parts_headers_and_working_links(smtp, client, alice,
                                                                      alice_cpt, bob):
    report = run_nightly(date(2028, 3, 1))  # the spring notice: optional
    assert report.reminders == 1
    ((recipients, raw),) = smtp.received
    assert recipients == ["alice@example.com"]
    message = message_from_bytes(raw, policy=policy.default)
    assert message.get_content_type() == "multipart/alternative"
    assert message["To"] == "alice@example.com"
    assert message["Subject"] == "45 CECs still needed for ACSM CPT by December 31"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message["List-Unsubscribe"].strip().strip("<>")  # may be folded
    assert unsubscribe.startswith("http://testserver/email/unsubscribe/")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "CECs: 0 of 45 — 45 still needed" in text
    assert "ACSM ACSM" not in text + html + message["Subject"]
    links = set(re.findall(r'href="([^"]+)"', html))
    assert set(re.findall(r"http://testserver/\S*", text)) <= links
    paths = {link.removeprefix("http://testserver") for link in links}
    assert {"/credits/report/", "/cpr/", f"/certifications/{alice_cpt.pk}/renew/"} <= paths
    client.force_login(alice.user)
    for path in paths:
        assert client.get(path).status_code == 200, path
    # The pages about alice's certification are not bob's to open.
    client.force_login(bob.user)
    assert client.get(f"/certifications/{alice_cpt.pk}/renew/").status_code == 404
    # The one-click unsubscribe, as a mail client sends it.
    client.logout()
    response = client.post(unsubscribe.removeprefix("http://testserver"),
                           "List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    alice.refresh_from_db()
    assert not alice.optional_reminders
    assert History.objects.filter(professional=alice, action="send_email").count() == 1


def test_a_server_refusing_for_now_leaves_the_reminder_for_the_next_run(smtp, alice,
                                                                       alice_cpt):
    smtp.refuse = "451 4.3.0 Try again later"
    report = run_nightly(date(2028, 12, 1))
    assert report.reminders == 0 and report.reminders_unsent == 1
    assert smtp.received == [] and not Reminder.objects.exists()
    smtp.refuse = ""
    report = run_nightly(date(2028, 12, 2))
    assert report.reminders == 1 and len(smtp.received) == 1
    assert list(Reminder.objects.values_list("kind", flat=True)) == ["days_30"]
