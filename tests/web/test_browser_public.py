"""Browser walk of the public pages: the library and the self-assessment (red flag, ready)."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from painpath.knowledge import load_knowledge

from ._browser import check_a11y, fits_the_screen, shot
from ._server import LiveServer

RED_FLAG_ITEMS = tuple(
    sorted({item for flag in load_knowledge().red_flags.values() for item in flag.screen_items})
)


def _answer(page: Page, link_id: str, value: str) -> None:
    page.locator(f"input[name='{link_id}'][value='{value}']").check()


def _screen_no(page: Page, except_: str = "") -> None:
    for item in RED_FLAG_ITEMS:
        _answer(page, item, "yes" if item == except_ else "no")


def test_home_and_procedure_library_are_accessible(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Help for pain that lasts")
    check_a11y(page)
    shot(page, "home")
    page.get_by_role("link", name="See the procedures").click()
    expect(page.get_by_role("heading", name="The six kinds of procedures")).to_be_visible()
    expect(page.locator("section.family")).to_have_count(6)
    check_a11y(page)
    shot(page, "procedures")
    page.get_by_role(
        "link", name=re.compile("^Steroid shot into the spine in the low back")
    ).first.click()
    for heading in ("What it treats", "How it works", "What to expect", "Recovery", "Risks"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Before", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="After", exact=True)).to_be_visible()
    check_a11y(page)


def test_sign_in_page_is_accessible_and_a_wrong_password_is_explained(page: Page) -> None:
    page.goto("/signin")
    check_a11y(page)
    page.get_by_label("Email").fill("nobody@demo.example")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not right")
    expect(page.get_by_label("Email")).to_have_value("nobody@demo.example")
    check_a11y(page)


def test_red_flag_answer_opens_with_seek_care_now(phone: Page) -> None:
    for path in ("/", "/procedures", "/procedures/scs-trial"):
        phone.goto(path)
        fits_the_screen(phone)
    phone.goto("/self-assessment")
    fits_the_screen(phone)
    check_a11y(phone)
    _screen_no(phone, except_="rf-bladder-bowel")
    phone.locator("label.scale-option", has_text=re.compile(r"^7$")).first.click()
    phone.get_by_role("button", name="See what my answers suggest").click()
    urgent = phone.locator("section.urgent")
    expect(urgent).to_be_visible()
    heading = phone.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Call emergency services")
    # the urgent message comes before anything else in the main content
    first = phone.locator("main > *").first
    expect(first).to_have_class(re.compile("urgent"))
    expect(phone.get_by_text("Cauda equina syndrome:")).to_be_visible()
    fits_the_screen(phone)
    check_a11y(phone)
    shot(phone, "self-assessment-red-flag")


def test_ready_candidate_is_told_a_visit_may_be_worth_it(page: Page) -> None:
    page.goto("/self-assessment")
    for i in range(1, 7):
        _answer(page, f"readiness-{i}", "yes")
    _screen_no(page)
    page.get_by_label("About how many months").fill("8")
    page.get_by_label("Physical therapy or a home exercise program").check()
    page.get_by_role("button", name="See what my answers suggest").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What your answers suggest")
    expect(page.locator("section.urgent")).to_have_count(0)
    expect(page.get_by_text("6 of 6")).to_be_visible()
    expect(page.get_by_text("A visit with a pain specialist may be worth it.")).to_be_visible()
    check_a11y(page)
    shot(page, "self-assessment-ready")


def test_bad_answers_are_shown_next_to_the_field_and_kept(page: Page) -> None:
    page.goto("/self-assessment")
    _answer(page, "readiness-2", "yes")
    _answer(page, "rf-fever", "no")
    page.get_by_label("About how many months").fill("9000")
    page.get_by_role("button", name="See what my answers suggest").click()
    months = page.get_by_label("About how many months")
    expect(months).to_have_value("9000")  # kept as typed
    expect(months).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#pain-duration-months-error")).to_contain_text("from 0 to 600")
    expect(page.locator("#rf-bladder-bowel-error")).to_contain_text("answer yes or no")
    expect(page.locator("input[name='readiness-2'][value='yes']")).to_be_checked()
    expect(page.locator("input[name='rf-fever'][value='no']")).to_be_checked()
    check_a11y(page)
    shot(page, "self-assessment-errors")


def test_pages_work_under_their_own_content_security_policy(
    browser: Browser, live_server: LiveServer
) -> None:
    context = browser.new_context(base_url=live_server.url)  # the policy enforced
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Security Policy" in m.text else None)
    page.goto("/")
    page.goto("/self-assessment")
    _screen_no(page)
    page.get_by_role("button", name="See what my answers suggest").click()
    # the stylesheet applied, and the print button's script ran (it is hidden without it)
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_visible()
    assert page.evaluate("getComputedStyle(document.body).marginTop") == "0px"
    assert violations == []
    context.close()


def test_keyboard_skip_link_and_printable_result(page: Page) -> None:
    page.goto("/self-assessment")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))
    # answer the warning signs by keyboard only: focus each "No", select it with Space
    for item in RED_FLAG_ITEMS:
        page.locator(f"input[name='{item}'][value='no']").focus()
        page.keyboard.press("Space")
    page.get_by_role("button", name="See what my answers suggest").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("What your answers suggest")
    page.emulate_media(media="print")
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.get_by_role("heading", name="Your answers", exact=True)).to_be_visible()
    expect(page.locator("section[aria-labelledby='save-title']")).to_be_hidden()
