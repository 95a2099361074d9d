"""Browser test fixtures: one server and one Chromium per test session (per xdist worker).

Debian's Chromium (`/usr/bin/chromium`, installed by `make test` where missing) is driven by
Playwright for Python, headless. Each test gets a fresh browser context (its own cookies).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from ._server import LiveServer, start_server

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app with the demo clinic, served on 127.0.0.1 for the whole session."""
    server = start_server(tmp_path_factory.mktemp("web"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
    yield browser
    browser.close()


def _context(browser: Browser, server: LiveServer, **options: object) -> BrowserContext:
    # bypass_csp: the accessibility check injects axe-core into pages whose CSP allows only
    # the site's own scripts; the pages themselves are tested with their CSP elsewhere.
    context = browser.new_context(base_url=server.url, bypass_csp=True, **options)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A desktop-sized page in a fresh context (no cookies)."""
    context = _context(browser, live_server, viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A phone-sized page (390 x 844, touch) in a fresh context."""
    context = _context(
        browser,
        live_server,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=1,
    )
    yield context.new_page()
    context.close()
