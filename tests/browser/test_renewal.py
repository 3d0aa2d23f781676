"""A professional renews from the dashboard in Chromium; staff record the cheque in the
admin; the dashboard then shows the next cycle from zero."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine

from tests.browser.axe_check import assert_accessible
from tests.browser.pages import authenticator, type_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server, username, password, path="/accounts/login/"):
    page.goto(f"{live_server.url}{path}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("form [type=submit]").click()


def test_renew_from_the_dashboard_through_payment(browser, live_server, alice, alice_cpt, sam):
    from recert.core.actions.certifications import do_update_certification
    from recert.renewals.models import Invoice
    from tests.factories import log

    log(alice, date(2026, 2, 1), "30", "ACSM")
    log(alice, date(2026, 9, 1), "1.5", "NASM", "ceu")
    do_update_certification(alice_cpt, actor=sam, cpr_aed_valid_until=date(2029, 6, 30))

    with time_machine.travel(date(2028, 5, 2), tick=True):
        professional = browser.new_context().new_page()
        professional.set_default_timeout(15_000)
        _log_in(professional, live_server, "alice", alice.user.raw_password)
        professional.wait_for_url(f"{live_server.url}/")
        card = professional.locator(f'[data-certification="{alice_cpt.pk}"]')
        card.get_by_role("link", name=re.compile("Renew now")).click()

        professional.wait_for_url(re.compile(r"/renew/$"))
        assert_accessible(professional)
        assert professional.get_by_label("CECs earned through ACSM").input_value() == "30"
        assert professional.get_by_label("CECs from other organizations").input_value() == "15"
        assert "$45.00" in professional.locator(".total").inner_text()
        # Forgetting the box: refused, and what was typed is still there.
        professional.get_by_label("CECs earned through ACSM").fill("31")
        professional.get_by_role("button", name="Renew and go to payment").click()
        alert = professional.get_by_role("alert").first.inner_text()
        assert "Tick the acknowledgement box" in alert
        assert_accessible(professional)  # the form with its errors
        assert professional.get_by_label("CECs earned through ACSM").input_value() == "31"
        professional.get_by_label(re.compile("I confirm")).check()
        professional.get_by_role("button", name="Renew and go to payment").click()

        professional.wait_for_url(re.compile(r"/invoices/R\d{6}/$"))
        number = Invoice.objects.get().number
        assert professional.get_by_role("heading", level=1).inner_text() == f"Invoice {number}"
        assert "open" in professional.locator(".invoice-status").inner_text()
        assert_accessible(professional)

        staff = browser.new_context().new_page()
        staff.set_default_timeout(15_000)
        device = authenticator(sam)
        _log_in(staff, live_server, "sam", sam.raw_password, path="/admin/login/")
        type_second_factor(staff, device)
        staff.wait_for_url(f"{live_server.url}/admin/")
        staff.goto(f"{live_server.url}/admin/renewals/invoice/")
        staff.locator("tr", has_text=number).locator("input.action-select").check()
        staff.select_option("select[name=action]", "record_offline_payment")
        staff.get_by_role("button", name="Go").click()
        staff.get_by_label("Cheque number or phone reference").fill("cheque 4417")
        staff.get_by_role("button", name="Record payment").click()
        assert "the renewal is complete" in staff.locator(".messagelist").inner_text()

        professional.reload()
        assert "paid" in professional.locator(".invoice-status").inner_text()
        assert professional.get_by_role("link", name=re.compile("receipt")).is_visible()
        assert_accessible(professional)
        professional.get_by_role("link", name="Back to the dashboard").click()
        professional.wait_for_url(f"{live_server.url}/")
        card = professional.locator(f'[data-certification="{alice_cpt.pk}"]')
        text = card.inner_text()
        assert "01/01/2029 – 12/31/2031" in text
        assert "0 of 45" in text
        assert card.get_by_role("link", name=re.compile("Renew now")).count() == 0
