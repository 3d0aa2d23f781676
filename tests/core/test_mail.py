"""The sending layer (recert.core.mail): one template set per kind sent as text + HTML,
absolute links, optional messages that can be stopped (RFC 8058), every message in the
professional's history, and a reminder recorded only once the mail server accepted it
(issue 17)."""

from __future__ import annotations

import smtplib
from datetime import date

import pytest
from django.core import mail as outbox
from django.core.management import call_command
from django.urls import reverse

from recert.core import mail
from recert.core.models import History, Professional
from recert.renewals.lifecycle import run_nightly
from recert.renewals.models import Reminder

pytestmark = pytest.mark.django_db

SPRING = date(2028, 3, 1)      # alice_cpt's renewal information (optional)
DAYS_30 = date(2028, 12, 1)    # 30 days before alice_cpt's cycle ends (always sent)


def _sent_rows(professional):
    return [h.changes for h in History.objects.filter(professional=professional,
                                                      action=History.Action.SEND_EMAIL)]


def _not_sent_rows(professional):
    return [h.changes for h in History.objects.filter(professional=professional,
                                                      action=History.Action.SKIP_EMAIL)]


def test_a_reminder_is_text_and_html_with_absolute_links_and_a_history_row(alice, alice_cpt):
    run_nightly(DAYS_30)
    (message,) = outbox.outbox
    assert message.alternatives[0][1] == "text/html"
    html = message.alternatives[0][0]
    assert 'href="http://testserver/credits/report/"' in html
    assert "http://testserver/credits/report/" in message.body
    # A deadline notice: always sent, so no unsubscribe header.
    assert "List-Unsubscribe" not in message.extra_headers
    (row,) = _sent_rows(alice)
    assert row == {"kind": [None, "reminder_days_30"], "to": [None, "alice@example.com"],
                   "subject": [None, message.subject]}


def test_optional_reminder_carries_one_click_unsubscribe(client, alice, alice_cpt):
    run_nightly(SPRING)
    (message,) = outbox.outbox
    header = message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header.strip("<>")
    assert url.startswith("http://testserver/email/unsubscribe/") and url in message.body
    path = url.removeprefix("http://testserver")
    # GET only asks (a link scanner changes nothing) ...
    page = client.get(path)
    assert page.status_code == 200 and b"Stop optional reminders" in page.content
    alice.refresh_from_db()
    assert alice.optional_reminders
    # ... the one-click POST of a mail client works without a log-in or a CSRF token.
    client.handler.enforce_csrf_checks = True
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    alice.refresh_from_db()
    assert not alice.optional_reminders
    assert History.objects.filter(professional=alice, action=History.Action.UPDATE,
                                  changes={"optional_reminders": [True, False]}).exists()


@pytest.mark.parametrize("token", ["nonsense", "1:forged", "", "%00"])
def test_a_bad_unsubscribe_token_changes_nothing(client, alice, token):
    response = client.post(f"/email/unsubscribe/{token}x/")
    assert response.status_code in (400, 404)
    alice.refresh_from_db()
    assert alice.optional_reminders


def test_optional_reminders_turned_off_are_not_sent_but_deadlines_are(client, alice,
                                                                      alice_cpt):
    client.force_login(alice.user)
    response = client.post(reverse("email_settings"), {})  # the box unticked
    assert response.status_code == 302
    alice.refresh_from_db()
    assert not alice.optional_reminders
    run_nightly(SPRING)
    assert outbox.outbox == [] and not Reminder.objects.exists()
    assert _not_sent_rows(alice)[0]["reason"] == [None, mail.TURNED_OFF]
    run_nightly(DAYS_30)
    assert [m.subject for m in outbox.outbox] == [
        "45 CECs still needed for ACSM CPT by December 31"]
    # Turned on again from the settings page.
    client.post(reverse("email_settings"), {"optional_reminders": "on"})
    alice.refresh_from_db()
    assert alice.optional_reminders
    page = client.get(reverse("settings"))
    assert page.status_code == 200 and b'name="optional_reminders"' in page.content


def test_no_address_is_skipped_and_noted_once(alice, alice_cpt):
    Professional.objects.filter(pk=alice.pk).update(email="")
    alice.user.email = ""
    alice.user.save()
    first = run_nightly(DAYS_30)
    second = run_nightly(DAYS_30)
    assert outbox.outbox == [] and not Reminder.objects.exists()
    assert first.reminders_skipped == 1 and second.reminders_skipped == 1
    (row,) = _not_sent_rows(alice)
    assert row["reason"] == [None, mail.NO_ADDRESS]
    assert row["kind"] == [None, "reminder_days_30"]


def _failing_backend(error):
    class Backend:
        def __init__(self, *args, **kwargs):
            pass

        def send_messages(self, messages):
            raise error

    return Backend


@pytest.mark.parametrize("error", [
    smtplib.SMTPServerDisconnected("gone"),
    smtplib.SMTPResponseException(451, b"try again later"),
    ConnectionRefusedError(111, "Connection refused"),
])
def test_a_temporary_smtp_failure_leaves_the_reminder_unsent_for_the_next_run(
        alice, alice_cpt, settings, error):
    settings.EMAIL_BACKEND = "tests.core.test_mail.Failing"
    globals()["Failing"] = _failing_backend(error)
    report = run_nightly(DAYS_30)
    assert report.reminders == 0 and report.reminders_unsent == 1
    assert not Reminder.objects.exists() and not _sent_rows(alice)
    assert "did not accept" in _not_sent_rows(alice)[0]["reason"][1]
    # The server is back: the next run sends it.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    report = run_nightly(DAYS_30 .replace(day=2))
    assert report.reminders == 1 and len(outbox.outbox) == 1
    assert list(Reminder.objects.values_list("kind", flat=True)) == ["days_30"]


def test_deliver_tells_temporary_from_permanent_refusals(settings):
    settings.EMAIL_BACKEND = "tests.core.test_mail.Failing"
    message = mail.Message(kind="k", to="a@example.com", subject="s", text="t", html="<p>t</p>")
    for error, temporary in [
        (smtplib.SMTPRecipientsRefused({"a@example.com": (450, b"mailbox busy")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"no such user")}), False),
        (smtplib.SMTPResponseException(554, b"rejected"), False),
        (TimeoutError("timed out"), True),
    ]:
        globals()["Failing"] = _failing_backend(error)
        with pytest.raises(mail.MailNotSent) as raised:
            mail.deliver(message)
        assert raised.value.temporary is temporary


def test_queued_message_is_sent_on_commit_and_recorded(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = mail.send_message("reminder_days_30", alice.user,
                                    {"subject": "Test subject", "items": [], "steps": []})
    assert outcome == mail.QUEUED
    (message,) = outbox.outbox
    assert message.subject == "Test subject"
    assert _sent_rows(alice)[0]["subject"] == [None, "Test subject"]


def test_text_lines_are_wrapped_but_addresses_are_whole():
    long = "word " * 40
    url = "http://testserver/" + "x" * 100
    text = mail.tidy_text(f"{long}\n- {long}\n{url}\n\n\n\nend")
    lines = text.splitlines()
    assert all(len(line) <= mail.LINE_LIMIT for line in lines if line != url)
    assert url in lines and "\n\n\n" not in text
    assert any(line.startswith("  word") for line in lines)  # a list item's next lines


def test_site_url_is_required_for_deploy_and_checked(settings):
    from recert.core.checks import site_url_is_an_address, site_url_is_set

    settings.DEBUG, settings.SITE_URL = False, ""
    assert [e.id for e in site_url_is_set(None)] == ["recert.E002"]
    settings.SITE_URL = "recert.example.org"
    assert [e.id for e in site_url_is_an_address(None)] == ["recert.E001"]
    settings.SITE_URL = "https://recert.example.org"
    assert site_url_is_set(None) == [] and site_url_is_an_address(None) == []


def test_preview_command_renders_every_kind(alice, alice_cpt, capsys):
    call_command("mail_preview", alice.user.username, "--as-of", "2028-12-01")
    out = capsys.readouterr().out
    for kind in ("reminder_renewal_info", "reminder_days_30", "reminder_grace_ending"):
        assert kind in out
