"""The nightly job: statuses into grace and invalid as the engine says, and each reminder
once per cycle — run twice, or after days of not running (ACSM-GRACE-1, ACE-WINDOW-1)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command

from recert.core.actions.certifications import do_create_certification
from recert.core.models import History
from recert.renewals.lifecycle import run_nightly
from recert.renewals.models import Reminder
from tests.factories import log, pay_offline

pytestmark = pytest.mark.django_db


def _run(day: date):
    call_command("nightly", as_of=day.isoformat(), verbosity=0)


def _kinds():
    return list(Reminder.objects.order_by("sent_at", "id").values_list("kind", flat=True))


def test_run_twice_sends_nothing_twice(alice, alice_cpt):
    _run(date(2028, 3, 1))
    _run(date(2028, 3, 1))
    _run(date(2028, 3, 2))
    assert len(mail.outbox) == 1 and _kinds() == ["renewal_info"]
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    # Issue 17: the subject leads with what to do; the body says what is left and links
    # to the page for each step.
    assert message.subject == "45 CECs still needed for ACSM CPT by December 31"
    body = " ".join(message.body.split())
    assert "this is the year to renew" in body
    assert "CECs: 0 of 45 — 45 still needed" in body
    assert "Report the 45 CECs still needed. http://testserver/credits/report/" in body
    assert "Update your CPR/AED record" in body
    assert "Then renew by December 31, 2028: $45.00." in body


def test_every_reminder_on_its_day_then_invalid(alice, alice_cpt):
    days = [date(2028, 3, 1), date(2028, 10, 2), date(2028, 12, 1), date(2028, 12, 24),
            date(2029, 1, 1), date(2029, 5, 31), date(2029, 7, 1)]
    for day in days:
        _run(day)
        _run(day)
    assert _kinds() == ["renewal_info", "days_90", "days_30", "days_7", "grace_started",
                        "grace_ending"]
    assert len(mail.outbox) == 6
    grace = mail.outbox[4]
    assert "inactive" in grace.subject and "June 30, 2029" in grace.body
    assert "fee $45.00 + late fee $25.00" in grace.body and "$70.00" in grace.body
    statuses = [h.changes["status"] for h in History.objects.filter(action="status_change")]
    assert statuses == [["active", "grace"], ["grace", "invalid"]]
    assert History.objects.filter(action="send_reminder").count() == 6


def test_after_days_without_running_only_the_latest_due_is_sent(alice, alice_cpt):
    _run(date(2028, 12, 26))
    assert _kinds() == ["days_7"] and len(mail.outbox) == 1
    _run(date(2028, 12, 27))
    assert len(mail.outbox) == 1
    # Months later, straight into the end of grace: one reminder, and the status catches up.
    _run(date(2029, 6, 2))
    assert _kinds() == ["days_7", "grace_ending"] and len(mail.outbox) == 2
    alice_cpt.refresh_from_db()
    assert alice_cpt.status == "grace"


def test_renewed_certification_gets_no_more_reminders_for_the_closed_cycle(
        client, alice, alice_cpt, sam):
    import time_machine

    from recert.renewals.models import Invoice
    from tests.factories import renewal_form

    log(alice, date(2026, 2, 1), "45", "ACSM")
    _run(date(2028, 3, 1))
    with time_machine.travel(date(2028, 4, 1), tick=False):
        client.force_login(alice.user)
        renewal_form(client, alice_cpt)
        pay_offline(Invoice.objects.get(), sam)
    _run(date(2028, 10, 2))
    _run(date(2029, 1, 2))
    assert _kinds() == ["renewal_info"]
    alice_cpt.refresh_from_db()
    assert alice_cpt.status == "active"
    # The new cycle's own reminders come in its final year.
    _run(date(2031, 3, 1))
    assert _kinds() == ["renewal_info", "renewal_info"]


def test_ace_has_no_grace_and_becomes_invalid_after_the_cycle(alice, programs, sam):
    pt = do_create_certification(alice, programs[("ACE", "PT")], date(2025, 6, 10), actor=sam)
    report = run_nightly(date(2027, 7, 1))
    pt.refresh_from_db()
    assert pt.status == "invalid" and report.status_changes == 1
    assert report.reminders == 0
    assert not Reminder.objects.filter(kind__in=["grace_started", "grace_ending"]).exists()


def test_recert_nightly_command_line(alice, alice_cpt, capsys):
    from recert.cli import main

    assert main(["nightly", "--as-of", "2028-03-01"]) == 0
    assert "1 reminders sent" in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_bad_as_of_date_is_an_error(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--as-of"):
        call_command("nightly", as_of="yesterday")


def test_one_failing_professional_does_not_stop_the_run(alice, alice_cpt, bob, programs, sam,
                                                        monkeypatch, caplog):
    from django.core.management.base import CommandError

    from recert.renewals import emails

    bob_cpt = do_create_certification(bob, programs[("ACSM", "CPT")], date(2025, 3, 15),
                                      actor=sam)
    real = emails.send_reminder

    def failing(professional, *args, **kwargs):
        if professional.pk == alice.pk:
            # Her reminder row is written first, then this: all of hers rolls back.
            raise RuntimeError("boom")
        return real(professional, *args, **kwargs)

    monkeypatch.setattr(emails, "send_reminder", failing)
    with pytest.raises(CommandError, match=f"1 professional\\(s\\) failed \\(ids {alice.pk}\\)"):
        _run(date(2029, 1, 2))
    bob_cpt.refresh_from_db()
    alice_cpt.refresh_from_db()
    # Nothing of hers is stored (her status neither), the others' work is.
    assert bob_cpt.status == "grace" and alice_cpt.status == "active"
    assert list(Reminder.objects.values_list("cycle__certification", flat=True)) == [bob_cpt.pk]
    assert not History.objects.filter(action="status_change", object_id=alice_cpt.pk).exists()
    assert [m.to for m in mail.outbox] == [[bob.email or bob.user.email]]
    assert f"professional {alice.pk}" in caplog.text and "boom" in caplog.text
    report = run_nightly(date(2029, 1, 2))
    assert report.failed == [alice.pk] and report.professionals == 1


def test_one_email_per_renewal_group_quoting_the_group_total(alice, alice_cpt, programs, sam,
                                                            django_assert_max_num_queries):
    from recert.core.evaluation import standing_of

    for code in ("EP", "CET"):
        do_create_certification(alice, programs[("ACSM", code)], date(2025, 6, 1), actor=sam,
                                cpr_aed_valid_until=date(2030, 1, 1))
    group = next(g for g in standing_of(alice, date(2028, 3, 1)).evaluation.renewals
                 if len(g.certifications) == 3)
    report = run_nightly(date(2028, 3, 1))
    assert report.reminders == 1 and len(mail.outbox) == 1
    assert _kinds() == ["renewal_info"] * 3
    assert len(set(Reminder.objects.values_list("cycle_id", flat=True))) == 3
    message = mail.outbox[0]
    assert message.subject == "60 CECs still needed for ACSM CPT, EP and CET by December 31"
    for name in ("ACSM Certified Personal Trainer (ACSM CPT)",
                 "ACSM Certified Exercise Physiologist (ACSM EP)"):
        assert name in message.body
    body = " ".join(message.body.split())
    assert f"renew by December 31, 2028: ${group.fee:.2f}." in body
    assert "renew together, on one invoice" in body
    assert "Renewal opens" not in message.body
    # Nothing more for the group the same day; a second run reads the sent ones once.
    # + the bridge's credit decisions and late-renewal claims (issue 10); a chunk reads its
    # inputs for all its professionals at once: the same count for one or for hundreds.
    with django_assert_max_num_queries(13):
        run_nightly(date(2028, 3, 1))
    assert len(mail.outbox) == 1


def test_ace_certifications_get_their_own_emails(alice, programs, sam):
    for code, day in (("PT", date(2025, 6, 10)), ("GFI", date(2025, 6, 20))):
        do_create_certification(alice, programs[("ACE", code)], day, actor=sam)
    run_nightly(date(2027, 4, 2))  # 90 days before June 30, 2027
    assert len(mail.outbox) == 2


def test_not_final_year_says_the_day_renewal_opens(alice, alice_cpt):
    from recert.core.evaluation import standing_of
    from recert.renewals.quotes import blocker_text

    (_, result), = standing_of(alice, date(2026, 6, 1)).rows()
    assert "not_final_year" in result.renewal.blockers
    assert blocker_text("not_final_year", result) == "Renewal opens on 01/01/2028."
