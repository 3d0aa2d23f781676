"""axe-core (vendored, tests/browser/vendor/axe.min.js) run on the page as it stands."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def assert_accessible(page) -> None:
    """No serious or critical axe violation on the current page."""
    # Evaluated through DevTools, not added as a <script>: the Content-Security-Policy
    # refuses inline scripts, and axe is not one of our static files.
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document)")
    bad = [(v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3])
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"{page.url}: {bad}"
