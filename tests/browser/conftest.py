"""Playwright with the system's Chromium; skipped (or, in CI, failed) where there is none."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


def chromium_path() -> str | None:
    found = shutil.which("chromium")
    if found:
        return found
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return None


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        reason = "no Chromium installed (apt-get install chromium); browser tests need it"
        if os.environ.get("RECERT_REQUIRE_BROWSER"):
            pytest.fail(f"RECERT_REQUIRE_BROWSER is set but {reason}")
        pytest.skip(reason)
    # Playwright's sync API runs an event loop; Django refuses ORM calls from inside one
    # unless told this is a test process. Only while the browser tests run.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=path, args=ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


# The security suite's world (alice's objects of every kind) for the page-by-page tests.
from tests.security.conftest import tom, world  # noqa: E402, F401
