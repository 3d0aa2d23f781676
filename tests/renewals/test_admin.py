"""Staff in the admin: record an offline payment, a passed exam, a reinstatement with a
reason, and see a certification's lifecycle. Professionals cannot reach any of it."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from recert.core.models import Cycle, History
from recert.renewals.models import Invoice, Payment
from tests.factories import log, renewal_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_invoice(client, alice, alice_cpt):
    log(alice, date(2026, 2, 1), "45", "ACSM")
    with time_machine.travel(date(2028, 5, 2), tick=False):
        client.force_login(alice.user)
        renewal_form(client, alice_cpt)
        client.logout()
        yield Invoice.objects.get()


def _action(client, model, action, pk, **extra):
    url = reverse(f"admin:renewals_{model}_changelist")
    return client.post(url, {"action": action, ACTION_CHECKBOX_NAME: [pk], **extra})


def test_staff_record_offline_payment(client, sam, open_invoice):
    client.force_login(sam)
    form = _action(client, "invoice", "record_offline_payment", open_invoice.pk)
    assert form.status_code == 200 and b"Cheque number" in form.content
    refused = _action(client, "invoice", "record_offline_payment", open_invoice.pk, apply="1")
    assert b"Enter the cheque number" in refused.content and not Payment.objects.exists()
    done = _action(client, "invoice", "record_offline_payment", open_invoice.pk, apply="1",
                   reference="cheque 2002")
    assert done.status_code == 302
    payment = Payment.objects.get()
    assert (payment.reference, payment.recorded_by) == ("cheque 2002", sam)
    # Clicking again does nothing more.
    _action(client, "invoice", "record_offline_payment", open_invoice.pk, apply="1",
            reference="cheque 2002")
    assert Payment.objects.count() == 1


def test_staff_record_exam_and_reinstate_and_see_the_lifecycle(client, sam, alice_cpt,
                                                               open_invoice):
    client.force_login(sam)
    with time_machine.travel(date(2029, 8, 1), tick=False):
        client.force_login(sam)
        done = _action(client, "certificationlifecycle", "record_exam_pass", alice_cpt.pk,
                       apply="1", passed_on="2029-07-20")
        assert done.status_code == 302
        assert Cycle.objects.get(certification=alice_cpt, closed_at__isnull=True).start == \
            date(2029, 1, 1)
        # The pending renewal of the closed cycle is cancelled, its invoice void.
        open_invoice.refresh_from_db()
        assert open_invoice.status == "void"

        no_reason = _action(client, "certificationlifecycle", "reinstate", alice_cpt.pk,
                            apply="1", reason="")
        assert b"A reason is required" in no_reason.content
        _action(client, "certificationlifecycle", "reinstate", alice_cpt.pk, apply="1",
                reason="Audit documents received")
        assert History.objects.filter(action="reinstate",
                                      changes__reason=[None, "Audit documents received"]).exists()

        page = client.get(reverse("admin:renewals_certificationlifecycle_change",
                                  args=[alice_cpt.pk]))
        assert page.status_code == 200
        body = page.content.decode()
        for text in ("Cycles", "passed the exam", open_invoice.number, "record_exam_pass",
                     "reinstate"):
            assert text in body


def test_reinstate_an_invalid_ace_certification_opens_the_current_cycle(client, sam, alice,
                                                                         programs):
    from recert.core.actions.certifications import do_create_certification
    from recert.renewals.actions import do_reinstate_certification
    from recert.renewals.lifecycle import run_nightly

    pt = do_create_certification(alice, programs[("ACE", "PT")], date(2025, 6, 10), actor=sam)
    run_nightly(date(2027, 8, 1))
    pt.refresh_from_db()
    assert pt.status == "invalid"
    do_reinstate_certification(pt, "Paid by phone after the end", actor=sam,
                               as_of=date(2027, 8, 1))
    assert [(c.number, c.start, c.end, c.closed_reason) for c in pt.cycles.order_by("number")] == [
        (1, date(2025, 6, 10), date(2027, 6, 30), "reinstated"),
        (2, date(2027, 7, 1), date(2029, 6, 30), ""),
    ]
    run_nightly(date(2027, 8, 2))
    pt.refresh_from_db()
    assert pt.status == "active"


def test_professionals_cannot_use_the_staff_pages(client, alice, open_invoice):
    client.force_login(alice.user)
    response = client.get(reverse("admin:renewals_invoice_changelist"))
    assert response.status_code == 302 and "login" in response.url


@pytest.fixture
def tom(db, password):
    """Staff, but given none of the renewal permissions."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("tom", "tom@example.com", password,
                                                is_staff=True)


def test_staff_who_are_not_superusers_get_no_renewal_actions(client, tom, alice_cpt,
                                                            open_invoice):
    from django.contrib.auth.models import Permission

    # Even with the permissions, the admin is for superusers only (issue 12).
    tom.user_permissions.add(*Permission.objects.filter(
        codename__in=["record_payment", "record_exam", "reinstate_certification"]))
    client.force_login(tom)
    invoices = client.get(reverse("admin:renewals_invoice_changelist"))
    assert invoices.status_code == 302 and b"record_offline_payment" not in invoices.content
    _action(client, "invoice", "record_offline_payment", open_invoice.pk, apply="1",
            reference="cheque 1")
    _action(client, "certificationlifecycle", "record_exam_pass", alice_cpt.pk, apply="1",
            passed_on="2028-05-01")
    _action(client, "certificationlifecycle", "reinstate", alice_cpt.pk, apply="1",
            reason="because")
    assert not Payment.objects.exists()
    assert Cycle.objects.filter(certification=alice_cpt).count() == 1
    assert not History.objects.filter(action__in=["record_exam_pass", "reinstate"]).exists()


def test_exam_pass_date_in_the_future_is_refused(client, sam, alice_cpt):
    with time_machine.travel(date(2029, 8, 1), tick=False):
        client.force_login(sam)
        refused = _action(client, "certificationlifecycle", "record_exam_pass", alice_cpt.pk,
                          apply="1", passed_on="08/02/2029")
        assert refused.status_code == 200
        assert b"is in the future" in refused.content
        assert Cycle.objects.filter(certification=alice_cpt).count() == 1
        done = _action(client, "certificationlifecycle", "record_exam_pass", alice_cpt.pk,
                       apply="1", passed_on="08/01/2029")
        assert done.status_code == 302
        assert Cycle.objects.filter(certification=alice_cpt).count() == 2


def test_lists_load_their_related_rows(client, sam, open_invoice):
    from django.contrib import admin

    from recert.renewals.models import Invoice, Payment, Reminder, Renewal

    for model in (Invoice, Payment, Reminder, Renewal):
        assert admin.site._registry[model].list_select_related
    client.force_login(sam)
    for name in ("invoice", "renewal", "payment", "reminder", "paymentissue",
                 "certificationlifecycle"):
        assert client.get(reverse(f"admin:renewals_{name}_changelist")).status_code == 200


def test_resolving_a_payment_issue_is_recorded(client, sam, open_invoice):
    """The finance action goes through do_resolve_payment_issues: changed once, with history
    on the professional's record; a second click changes nothing more."""
    from recert.renewals.models import PaymentIssue

    issue = PaymentIssue.objects.create(invoice=open_invoice, gateway="stripe",
                                        reference="cs_test_1", reason="void invoice")
    client.force_login(sam)
    assert _action(client, "paymentissue", "mark_resolved", issue.pk).status_code == 302
    issue.refresh_from_db()
    assert issue.resolved
    rows = History.objects.of(issue)
    assert [(h.action, h.changes) for h in rows] == [("update", {"resolved": [False, True]})]
    assert rows.get().professional == open_invoice.professional
    _action(client, "paymentissue", "mark_resolved", issue.pk)
    assert History.objects.of(issue).count() == 1
