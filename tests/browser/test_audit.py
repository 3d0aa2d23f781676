"""The yearly audit in Chromium (issue 13): the professional uploads proof of each credit
and submits; an auditor claims the case, accepts some credits and rejects one; the
professional then sees the replacement period."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from tests.audits.conftest import NOTICE_ON, PDF, renew
from tests.browser.axe_check import assert_accessible
from tests.browser.pages import authenticator, type_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("form [type=submit]").click()


def test_upload_submit_review_and_replacement(browser, live_server, alice, programs, sam,
                                              media, django_user_model, tmp_path):
    from recert.audits.actions import do_start_audit
    from recert.audits.models import AuditCase
    from recert.core.actions.staff import do_grant_staff_role
    from recert.core.models import CertifyingBody

    acsm = CertifyingBody.objects.get(code="ACSM")
    ann = django_user_model.objects.create_user("ann", "ann@example.com", "ann-pass-1234")
    do_grant_staff_role(ann, acsm, "auditor", actor=None)
    _, entries, _ = renew(alice, programs[("ACSM", "CPT")], sam)
    do_start_audit(acsm, 2026, "browser", actor=ann, today=NOTICE_ON)
    case = AuditCase.objects.get()
    proof = tmp_path / "certificate.pdf"
    proof.write_bytes(PDF)

    with time_machine.travel(NOTICE_ON + timedelta(days=5), tick=True):
        pro = browser.new_context().new_page()
        pro.set_default_timeout(15_000)
        _log_in(pro, live_server, "alice", alice.user.raw_password)
        pro.wait_for_url(f"{live_server.url}/")
        pro.get_by_role("link", name="Open the audit").click()
        pro.wait_for_url(re.compile(rf"/audits/{case.pk}/$"))
        assert "Awaiting proof" in pro.locator("#audit-status").inner_text()
        assert_accessible(pro)
        for entry in entries:
            pro.get_by_label(f"Upload proof for “{entry.title}”").set_input_files(str(proof))
            pro.locator(f"#item-{case.items.get(credit_entry=entry).pk}").get_by_role(
                "button", name="Attach").click()
            pro.wait_for_load_state()
        assert pro.locator("#missing").count() == 0
        pro.get_by_role("button", name="Submit for review").click()
        pro.wait_for_url(re.compile(rf"/audits/{case.pk}/$"))
        assert "Under review" in pro.locator("#audit-status").inner_text()

        auditor = browser.new_context().new_page()
        auditor.set_default_timeout(15_000)
        device = authenticator(ann)
        _log_in(auditor, live_server, "ann", "ann-pass-1234")
        auditor.wait_for_url(re.compile(r"/$"))
        auditor.goto(f"{live_server.url}/staff/audits/cases/{case.pk}/")
        type_second_factor(auditor, device)  # staff pass a second factor (issue 11)
        auditor.wait_for_url(re.compile(rf"/staff/audits/cases/{case.pk}/$"))
        auditor.get_by_role("button", name="Claim the case to review it").click()
        assert_accessible(auditor)
        for i, entry in enumerate(entries):
            item = auditor.locator(f"#item-{case.items.get(credit_entry=entry).pk}")
            if i == 0:
                item.get_by_label("Reject", exact=True).check()
                item.get_by_label("Reason (when rejecting)").select_option("name_missing")
                item.get_by_label("Note", exact=True).fill("The certificate shows no name.")
            else:
                item.get_by_label("Accept", exact=True).check()
            item.get_by_role("button", name="Save decision").click()
            auditor.wait_for_load_state()
        assert "replacement period" in auditor.locator("#case-status").inner_text()

        pro.reload()
        assert "Replacement period" in pro.locator("#audit-status").inner_text()
        assert "Your name is not on the document" in pro.locator(
            f"#item-{case.items.get(credit_entry=entries[0]).pk}").inner_text()
        assert pro.locator("#replacement-period").is_visible()
        assert_accessible(pro)
