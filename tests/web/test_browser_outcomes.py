"""Browser walks of the outcomes in the pages: a clinician records a post-block diary in the
workspace and sees it judged and charted, makes a prior-authorization packet and a care plan
from the chart; the patient downloads the care plan; the dashboard for clinicians only."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from ._browser import CLINICIAN, COORDINATOR, MARIA, SCREENSHOTS, check_a11y, shot, sign_in

ROBERT = "Robert Lindqvist"  # demo-facet-two-blocks: two medial branch blocks on record
MARIA_NAME = "Maria Santos"  # demo-radicular-ready: follow-up


def _open_chart(page: Page, name: str) -> None:
    page.goto("/clinic")
    page.get_by_label("Name contains").fill(name.split()[1])
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()


def _loaded(page: Page, selector: str) -> None:
    """Every image matched has loaded (a refused or broken chart has no natural width)."""
    images = page.locator(selector)
    expect(images.first).to_be_visible()
    page.wait_for_function(
        "sel => [...document.querySelectorAll(sel)].every(i => i.complete)", arg=selector
    )
    for i in range(images.count()):
        width = images.nth(i).evaluate("img => img.complete ? img.naturalWidth : -1")
        assert width > 0, f"{selector} #{i} did not load"


def test_clinician_records_a_block_diary_and_makes_the_prior_auth_packet(page: Page) -> None:
    sign_in(page, CLINICIAN)
    _open_chart(page, ROBERT)
    page.get_by_role("link", name=re.compile("Episode .*: procedure day")).click()
    section = page.locator("section:has(#outcomes-title)")
    expect(section).to_contain_text("no diary yet")

    page.locator("#diary-form summary").click()
    form = page.locator("#diary-form form")
    form.get_by_label("Block (required)").select_option(index=1)  # the earlier of the two blocks
    form.get_by_label("Pain at 30 minutes").fill("3")
    form.get_by_label("Pain at 2 hours").fill("1")
    form.get_by_role("button", name="Record the diary").click()
    # no baseline: refused next to it, the scores kept, nothing stored
    expect(page.locator("#diary-baseline-error")).to_contain_text("No baseline pain score")
    form = page.locator("#diary-form form")
    expect(form.get_by_label("Pain at 2 hours")).to_have_value("1")
    check_a11y(page)
    form.get_by_label("Pain just before the block (0-10)").fill("8")
    form.get_by_role("button", name="Record the diary").click()
    expect(section).to_contain_text("Positive: Peak relief 87.5% at 2 hours")
    check_a11y(page)
    section.screenshot(path=str(SCREENSHOTS / "block-diary.png"))

    page.get_by_role("link", name=f"Chart of {ROBERT}").click()
    expect(page.get_by_role("heading", name=re.compile("^Block response: "))).to_have_count(1)
    _loaded(page, "figure.chart img")  # the trajectory and the block-response curve

    page.get_by_text("Make a document from the record").click()
    form = page.locator("form[action$='/documents']")
    form.get_by_label("Prior-authorization packet").check()
    procedure = form.get_by_label(re.compile("^Procedure"))
    expect(procedure).to_have_value("facet-rfa-lumbar")  # the planned procedure first
    procedure.select_option("")
    form.get_by_role("button", name="Make the document").click()  # no procedure chosen
    expect(page.locator("#doc-procedure-error")).to_contain_text("Choose the procedure")
    form = page.locator("form[action$='/documents']")
    expect(form.get_by_label("Prior-authorization packet")).to_be_checked()
    form.get_by_label(re.compile("^Procedure")).select_option("facet-rfa-lumbar")
    form.get_by_role("button", name="Make the document").click()
    link = page.get_by_role("link", name="Prior authorization: facet-rfa-lumbar")
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.first.click()
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    check_a11y(page)
    shot(page, "chart-outcomes")


def test_the_patient_downloads_the_care_plan_the_clinic_made(page: Page, phone: Page) -> None:
    sign_in(page, CLINICIAN)
    _open_chart(page, MARIA_NAME)
    page.get_by_text("Make a document from the record").click()
    page.locator("form[action$='/documents']").get_by_role(
        "button", name="Make the document"
    ).click()  # the care plan is the default
    expect(page.get_by_role("link", name="Care plan").first).to_be_visible()

    sign_in(phone, MARIA)
    link = phone.get_by_role("link", name="Download: Care plan").first
    expect(link).to_be_visible()
    with phone.expect_download() as download:
        link.click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    check_a11y(phone)


def test_the_dashboard_is_in_the_clinicians_navigation_only(page: Page) -> None:
    sign_in(page, COORDINATOR)
    expect(page.get_by_role("navigation", name="Main")).not_to_contain_text("Dashboard")
    sign_in(page, CLINICIAN)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Clinic dashboard", level=1)).to_be_visible()
    table = page.locator("section:has(#byproc-title) table")
    expect(table.locator("tbody tr")).not_to_have_count(0)  # the demo's outcome reports
    _loaded(page, "figure.chart img")
    check_a11y(page)
    shot(page, "dashboard")
