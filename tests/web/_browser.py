"""Helpers of the browser tests: accessibility check with axe-core, screenshots, sign-in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "painpath-demo"
CLINICIAN = "clinician@demo.example"
COORDINATOR = "coordinator@demo.example"
MARIA = "maria.santos@demo.example"  # patient demo-radicular-ready (follow-up)
HELEN = "helen.park@demo.example"  # patient demo-knee-oa (scheduled)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """The serious and critical WCAG 2.1 A/AA violations axe-core finds on the page."""
    if not AXE.exists():
        raise AssertionError(f"{AXE} is missing: run `npm ci` (make install does)")
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
        })"""
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def check_a11y(page: Page) -> None:
    """Fail with the list when axe-core finds a serious or critical violation."""
    found = axe_violations(page)
    assert not found, f"{page.url}: {found}"


def fits_the_screen(page: Page) -> None:
    """Fail when the page scrolls sideways (wider than the phone's screen)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"{page.url}: {width}px wide on a {viewport}px screen"


def shot(page: Page, name: str) -> None:
    """Save a full-page screenshot as docs/screenshots/NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form; the browser lands on the viewer's home page."""
    page.goto("/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
