"""In Chromium: a professional downloads the Open Badge of her certification, and someone
she gave it to checks it on the public page by uploading the file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from recert.lib.signing_keys import new_key_item, parse_signing_keys
from tests.browser.axe_check import assert_accessible
from tests.browser.test_exports import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("RECERT_SCREENSHOTS", "data/screenshots"))


def test_download_a_badge_and_verify_it(page, live_server, settings, alice, alice_cpt,
                                        tmp_path):
    settings.BADGE_KEYS = parse_signing_keys(new_key_item("browser"))
    settings.SITE_URL = live_server.url
    log_in(page, live_server, alice)
    page.goto(f"{live_server.url}/certifications/{alice_cpt.pk}/")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download Open Badge").click()
    download = info.value
    assert download.suggested_filename == "ACSM-CPT-open-badge.jwt"
    badge = tmp_path / download.suggested_filename
    download.save_as(badge)
    assert badge.read_text().count(".") == 2

    visitor = page.context.browser.new_context().new_page()  # not signed in
    visitor.goto(f"{live_server.url}/verify/badge/")
    visitor.get_by_label("Or the badge file").set_input_files(str(badge))
    visitor.get_by_label("Holder's name or e-mail address (optional)").fill("Alice Archer")
    visitor.get_by_role("button", name="Verify the badge").click()
    result = visitor.locator("#result")
    result.get_by_text("Valid: this badge was issued by this site").wait_for()
    assert "ACSM Certified Personal Trainer" in result.inner_text()
    assert "is the holder's" in result.inner_text()
    assert_accessible(visitor)
    SHOTS.mkdir(parents=True, exist_ok=True)
    visitor.screenshot(path=str(SHOTS / "verify-badge.png"), full_page=True)

    visitor.get_by_label("Badge:", exact=True).fill(badge.read_text()[:-6] + "AAAAAA")
    visitor.get_by_role("button", name="Verify the badge").click()
    result.get_by_text("Bad signature").wait_for()
    visitor.context.close()
