"""Every page a professional (or an anonymous visitor) reaches fits a 375 px wide phone without
sideways scrolling, and at 1280 px the credits table shows every column whole (issue 10,
"Everyday paths").

The pages come from the URL configuration (`tests.browser.pages`), filled with alice's
objects, so a page added later is measured too. Alice holds an ACSM and an ACE certification
(two "Counted for" columns) and credits with long titles, providers and course numbers, so
the credits table is as wide as it gets in practice.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.browser.pages import pages, signed_in, user_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, DESKTOP = 375, 1280

# How much wider than the viewport the document is, and which elements stick out (named by
# tag, id and class, so a failure says what to fix).
OVERFLOW = """
() => {
  const width = document.documentElement.clientWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string" && el.className.trim() ?
     "." + el.className.trim().split(/\\s+/).join(".") : "");
  const absolute = (el) => ["absolute", "fixed"].includes(getComputedStyle(el).position);
  // Whether a box that scrolls or clips by itself, inside the viewport, holds `el` back
  // (an absolutely positioned element escapes every box up to its containing block).
  const heldBack = (parent, escapes) => {
    for (let p = parent; p && p !== document.body; p = p.parentElement) {
      const style = getComputedStyle(p);
      const positioned = style.position !== "static";
      if ((!escapes || positioned) && style.overflowX !== "visible" &&
          p.getBoundingClientRect().right <= width + 1) return true;
      if (escapes && positioned) escapes = absolute(p);
    }
    return false;
  };
  const wide = [];
  const check = (box, el, escapes, what) => {
    if (box.right <= width + 1) return;
    if (heldBack(el, escapes)) return;
    wide.push(`${what} (right edge ${Math.round(box.right)} px)`);
  };
  for (const el of document.body.querySelectorAll("*")) {
    check(el.getBoundingClientRect(), el.parentElement, absolute(el), name(el));
  }
  // Text wider than its element (a long hash, a URL) overflows without widening the element.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    check(range.getBoundingClientRect(), node.parentElement, false,
          `text “${node.textContent.trim().slice(0, 40)}” in ${name(node.parentElement)}`);
  }
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
}
"""

# Cells of the credits table that do not show their whole content at this width: wider than
# the box the table scrolls in, outside the viewport, or cut inside the cell.
CLIPPED_CELLS = """
() => {
  const table = document.querySelector("table.credits");
  if (!table) return null;
  const box = table.closest(".table-scroll") || table.parentElement;
  const limit = Math.min(box.getBoundingClientRect().right,
                         document.documentElement.clientWidth);
  const clipped = [];
  for (const cell of table.querySelectorAll("th, td")) {
    const r = cell.getBoundingClientRect();
    if (r.right > limit + 1 || r.left < box.getBoundingClientRect().left - 1 ||
        cell.scrollWidth > cell.clientWidth + 1) {
      clipped.push(`${cell.dataset.label || cell.textContent.trim()} ` +
                   `(${Math.round(r.left)}–${Math.round(r.right)} px, ` +
                   `box ends ${Math.round(limit)})`);
    }
  }
  return {clipped: clipped.slice(0, 5), cells: table.querySelectorAll("td").length,
          boxScrolls: box.scrollWidth > box.clientWidth + 1};
}
"""


@pytest.fixture
def wide_world(world, programs, sam):
    """The security suite's world, with alice certified by two bodies and credits whose
    words are as long as real ones get."""
    from recert.core.actions.certifications import do_create_certification
    from recert.core.actions.credits import do_create_credit_entry

    alice = world.alice
    do_create_certification(alice, programs[("ACE", "PT")], date(2025, 6, 10), actor=sam)
    for earned_on, title, provider, number, fmt, amount, unit, by in (
        (date(2026, 3, 14), "Functional Training for Older Adults: Balance, Fall Prevention "
         "and Strength Progressions", "Northwestern Regional Rehabilitation Institute",
         "NRRI-2026-FUNCTIONAL-0142", "workshop", "8", "hour", "OTHER"),
        (date(2026, 4, 2), "Kettlebell Basics", "", "", "online_course", "1.5", "ceu", "NASM"),
        (date(2024, 1, 10), "Before certification: Nutrition for Endurance Athletes",
         "", "", "course", "0.7", "ceu", "ACE"),
    ):
        do_create_credit_entry(alice, actor=alice.user, earned_on=earned_on, title=title,
                               format=fmt, amount=Decimal(amount), unit=unit, awarded_by=by,
                               provider=provider, course_number=number)
    return world


def _measure(browser, live_server, urls: list[str], user, width: int) -> list[str]:
    context = signed_in(browser, live_server, user,
                        viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    too_wide = []
    try:
        for url in urls:
            response = page.goto(live_server.url + url, wait_until="load")
            assert response is not None and response.ok, url
            found = page.evaluate(OVERFLOW)
            if found["scroll"] > found["width"]:
                too_wide.append(f"{url}: {found['scroll']} px wide at {width} px; "
                                f"sticking out: {', '.join(found['wide']) or '?'}")
    finally:
        context.close()
    return too_wide


@pytest.mark.parametrize("who", ["alice", "anonymous"])
@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_no_page_scrolls_sideways(browser, live_server, wide_world, who, width):
    urls = pages(wide_world, who)
    # The generated list must reach the pages the issue names, or the test proves nothing.
    expected = {"alice": {"/", "/credits/", "/credits/report/", f"/credits/{wide_world.entry.pk}/",
                          "/settings/", "/invoices/"},
                "anonymous": {"/accounts/login/", "/accounts/signup/", "/verify/"}}[who]
    assert expected <= set(urls), sorted(expected - set(urls))
    extra = ["/credits/?tab=all"] if who == "alice" else []
    too_wide = _measure(browser, live_server, urls + extra, user_of(wide_world, who), width)
    assert not too_wide, "\n".join(too_wide)


def test_the_credits_table_is_whole_at_1280(browser, live_server, wide_world):
    context = signed_in(browser, live_server, wide_world.alice.user,
                        viewport={"width": DESKTOP, "height": 800})
    page = context.new_page()
    try:
        for url in ("/credits/", "/credits/?tab=all"):
            page.goto(live_server.url + url)
            found = page.evaluate(CLIPPED_CELLS)
            assert found is not None, f"{url}: no credits table"
            assert found["cells"] >= 9 * 3, found  # three entries, two bodies' columns
            assert found["clipped"] == [] and not found["boxScrolls"], f"{url}: {found}"
    finally:
        context.close()


def test_on_a_phone_the_credits_table_stays_in_its_box(browser, live_server, wide_world):
    """Below 40rem the table may scroll (or stack) inside its own box, never the page."""
    context = signed_in(browser, live_server, wide_world.alice.user,
                        viewport={"width": PHONE, "height": 800})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/credits/?tab=all")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
        box = page.evaluate("""() => {
          const r = document.querySelector('table.credits').closest('.table-scroll')
                    .getBoundingClientRect();
          return [r.left, r.right]; }""")
        assert box[0] >= 0 and box[1] <= PHONE, box
    finally:
        context.close()
