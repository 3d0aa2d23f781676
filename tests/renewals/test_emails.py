"""Every kind of renewal e-mail, rendered for ACSM and ACE, one and several certifications,
met and short, in grace and invalid: no doubled names, a short subject, a text and an HTML
part, lines within the limit, and every link opens the page for the recipient and none of
theirs for another professional (issue 17; ACSM-MULTI-1, ACE-MULTI-1, ACSM-GRACE-1)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core import mail as outbox

from recert.core import mail
from recert.core.actions.certifications import do_create_certification
from recert.renewals.emails import credits_line, short_names
from recert.renewals.models import Invoice
from tests.factories import log, pay_offline

pytestmark = pytest.mark.django_db

URL = re.compile(r"http://testserver/\S*")
REMINDER_KINDS = ["reminder_renewal_info", "reminder_days_90", "reminder_days_30",
                  "reminder_days_7", "reminder_grace_started", "reminder_grace_ending"]


def _check(message: mail.Message, client, owner, other) -> None:
    for body in ("ACSM", "ACE"):
        for part in (message.subject, message.text, message.html):
            assert f"{body} {body} " not in part, part
    assert message.subject and len(message.subject) <= mail.SUBJECT_LIMIT, message.subject
    assert "\n" not in message.subject
    assert message.text.strip() and "<html" in message.html
    for line in message.text.splitlines():
        assert len(line) <= mail.LINE_LIMIT or URL.fullmatch(line.strip()), line
    links = set(re.findall(r'href="([^"]+)"', message.html))
    assert set(URL.findall(message.text)) <= links
    assert all(link.startswith("http://testserver/") for link in links), links
    for link in links:
        path = link.removeprefix("http://testserver")
        client.force_login(owner.user)
        assert client.get(path).status_code == 200, path
        if re.search(r"/(certifications|invoices)/[^/]+/", path):
            client.force_login(other.user)
            assert client.get(path).status_code == 404, path


def _render_all(professional, day: date, client, other) -> dict[str, mail.Message]:
    rendered = {}
    for kind in REMINDER_KINDS:
        message = mail.render_message(kind, professional, today=day)
        assert message is not None, kind
        _check(message, client, professional, other)
        rendered[kind] = message
    return rendered


def test_acsm_one_certification_short(client, alice, alice_cpt, bob):
    messages = _render_all(alice, date(2028, 12, 1), client, bob)
    message = messages["reminder_days_30"]
    assert message.subject == "45 CECs still needed for ACSM CPT by December 31"
    assert "CECs: 0 of 45 — 45 still needed" in message.text
    assert message.text.startswith("Dear Alice Archer,")
    assert messages["reminder_days_7"].subject.endswith("(7 days left)")
    # Optional ones carry the one-click unsubscribe; deadline notices do not.
    assert "List-Unsubscribe" in messages["reminder_days_90"].headers
    assert "List-Unsubscribe" not in message.headers


def test_acsm_several_certifications_met(client, alice, alice_cpt, programs, sam, bob):
    for code in ("EP", "CET"):
        do_create_certification(alice, programs[("ACSM", code)], date(2025, 6, 1), actor=sam,
                                cpr_aed_valid_until=date(2030, 1, 1))
    log(alice, date(2026, 2, 1), "60", "ACSM")
    messages = _render_all(alice, date(2028, 12, 1), client, bob)
    message = messages["reminder_days_30"]
    assert message.subject == "Renew your ACSM CPT, EP and CET by December 31"
    assert "60 of 60 — requirement met" in message.text
    assert "These certifications renew together, on one invoice." in message.text
    assert "ACSM Certified Personal Trainer (ACSM CPT)" in message.text


def test_acsm_in_grace_and_invalid(client, alice, alice_cpt, bob):
    grace = _render_all(alice, date(2029, 1, 2), client, bob)["reminder_grace_started"]
    assert grace.subject == "45 CECs still needed for ACSM CPT by June 30 (now inactive)"
    text = " ".join(grace.text.split())
    assert "Inactive: in the grace period until June 30, 2029" in text
    assert "late fee $25.00" in text
    invalid = _render_all(alice, date(2029, 7, 2), client, bob)["reminder_grace_ending"]
    assert invalid.subject == "Contact staff to restore your ACSM CPT"
    assert "Invalid since June 30, 2029" in " ".join(invalid.text.split())


def test_ace_one_and_several_certifications(client, alice, programs, sam, bob):
    do_create_certification(alice, programs[("ACE", "PT")], date(2025, 6, 10), actor=sam)
    log(alice, date(2026, 1, 5), "0.2", "ACE", "ceu", course_number="CA12345")
    messages = _render_all(alice, date(2027, 6, 1), client, bob)
    assert messages["reminder_days_30"].subject == "1.8 CECs still needed for ACE PT by June 30"
    assert "ACE Certified Personal Trainer (ACE PT)" in messages["reminder_days_30"].text
    # ACE bills each certification on its own (ACE-MULTI-1): one message names one.
    do_create_certification(alice, programs[("ACE", "GFI")], date(2025, 6, 20), actor=sam)
    messages = _render_all(alice, date(2027, 6, 1), client, bob)
    assert "ACE PT" in messages["reminder_days_30"].subject
    assert "GFI" not in messages["reminder_days_30"].subject
    # After the cycle ACE has no grace: invalid.
    invalid = _render_all(alice, date(2027, 7, 2), client, bob)["reminder_days_7"]
    assert invalid.subject == "Contact staff to restore your ACE PT"


def test_open_invoice_is_what_to_do_next(client, alice, alice_cpt, bob):
    import time_machine

    from tests.factories import renewal_form

    log(alice, date(2026, 2, 1), "45", "ACSM")
    with time_machine.travel(date(2028, 4, 1), tick=False):
        client.force_login(alice.user)
        renewal_form(client, alice_cpt)
    invoice = Invoice.objects.get()
    message = mail.render_message("reminder_days_30", alice, today=date(2028, 12, 1))
    assert message.subject == f"Pay invoice {invoice.number} to renew your ACSM CPT by December 31"
    assert f"http://testserver/invoices/{invoice.number}/" in message.text
    _check(message, client, alice, bob)


def test_receipt_is_sent_when_a_payment_is_recorded(client, alice, alice_cpt, sam, bob,
                                                    django_capture_on_commit_callbacks):
    import time_machine

    from tests.factories import renewal_form

    log(alice, date(2026, 2, 1), "45", "ACSM")
    assert mail.render_message("receipt", alice) is None  # nothing paid yet
    with time_machine.travel(date(2028, 4, 1), tick=False):
        client.force_login(alice.user)
        renewal_form(client, alice_cpt)
        invoice = Invoice.objects.get()
        with django_capture_on_commit_callbacks(execute=True):
            pay_offline(invoice, sam)
    (sent,) = outbox.outbox
    assert sent.subject == f"Receipt for invoice {invoice.number}: $45.00 paid"
    assert f"http://testserver/invoices/{invoice.number}/receipt.pdf" in sent.body
    _check(mail.render_message("receipt", alice), client, alice, bob)


def test_short_names_and_a_met_requirement_read_as_the_pages_do(alice, alice_cpt, programs,
                                                                sam):
    from recert.core.evaluation import standing_of

    log(alice, date(2026, 2, 1), "207", "ACSM")
    ((_, result),) = standing_of(alice, date(2027, 1, 1)).rows()
    # "207 of 45 reported; 0 still missing" read like an error (the example).
    assert credits_line(result) == "207 of 45 — requirement met"
    ep = do_create_certification(alice, programs[("ACSM", "EP")], date(2025, 6, 1), actor=sam)
    assert short_names([alice_cpt]) == "ACSM CPT"
    assert short_names([alice_cpt, ep]) == "ACSM CPT and EP"


def test_preview_of_an_unknown_kind_names_the_kinds(alice):
    with pytest.raises(KeyError, match="reminder_days_30"):
        mail.render_message("no_such_kind", alice)
