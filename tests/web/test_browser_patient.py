"""Browser walks of the patient portal: a pain diary on a phone, the plan pages, and a
patient trying to open another patient's pages (refused, and the refusal audited)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from painpath.knowledge import load_knowledge
from painpath.store import AuditEvent

from ._browser import HELEN, MARIA, check_a11y, fits_the_screen, shot, sign_in
from ._server import LiveServer


def test_patient_keeps_a_pain_diary_on_a_phone(phone: Page) -> None:
    sign_in(phone, MARIA)
    expect(phone).to_have_url(re.compile("/portal/demo-radicular-ready$"))
    expect(phone.get_by_role("heading", name="My plan")).to_be_visible()
    fits_the_screen(phone)
    check_a11y(phone)
    phone.get_by_role("navigation", name="My care").get_by_role("link", name="Pain diary").click()
    check_a11y(phone)
    rows = phone.locator("section:has(#recent-h) tbody tr")
    before = rows.count()

    phone.get_by_role("button", name="Save pain score 3").tap()  # one tap saves
    expect(phone.get_by_role("status")).to_have_text("Saved: pain 3 out of 10.")
    expect(rows).to_have_count(min(before + 1, 14))
    expect(rows.first.locator("td").nth(1)).to_have_text("3")
    chart = phone.locator(".chart svg[role='img']")
    expect(chart).to_be_visible()
    expect(chart.locator("title")).to_have_text("My pain scores")
    fits_the_screen(phone)
    check_a11y(phone)
    shot(phone, "pain-diary")

    # a time in the future is refused next to the field, the typed time kept, nothing saved
    phone.get_by_text("Not right now? Choose the time").tap()
    phone.get_by_label("When (date and time, UTC)").fill("2030-01-01T10:00")
    phone.get_by_role("button", name="Save pain score 6").tap()
    expect(phone.locator("#when-error")).to_contain_text("in the future")
    expect(phone.get_by_label("When (date and time, UTC)")).to_have_value("2030-01-01T10:00")
    expect(rows).to_have_count(min(before + 1, 14))
    check_a11y(phone)


def test_patient_reads_plan_preparation_and_aftercare(page: Page) -> None:
    sign_in(page, HELEN)  # scheduled for a knee injection
    expect(page.get_by_role("heading", name="Steroid shot into the knee")).to_be_visible()
    expect(page.get_by_text("Your procedure is booked for")).to_be_visible()
    check_a11y(page)
    shot(page, "my-plan")
    page.get_by_role("link", name="Getting ready").first.click()
    expect(page.get_by_role("heading", name="Medicines to pause")).to_be_visible()
    expect(page.get_by_role("heading", name="What to bring")).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="Aftercare").click()
    expect(page.get_by_role("heading", name="Get medical care today if you have")).to_be_visible()
    check_a11y(page)


def test_patient_cannot_open_another_patients_pages(page: Page, live_server: LiveServer) -> None:
    sign_in(page, MARIA)
    for path in ("/portal/demo-knee-oa/diary", "/portal/demo-knee-oa", "/clinic"):
        response = page.goto(path)
        assert response is not None and response.status == 403, path
        expect(page.get_by_role("heading", level=1)).to_have_text("You cannot open this page")
        expect(page.locator("main")).not_to_contain_text("Helen")
        check_a11y(page)
    shot(page, "access-denied")
    with live_server.engine.connect() as connection:
        denied = connection.execute(
            select(AuditEvent.resource).where(
                AuditEvent.outcome == "denied", AuditEvent.patient_id == "demo-knee-oa"
            )
        ).all()
    assert any(
        r.resource.startswith("observation.list") or r.resource.startswith("patient.read")
        for r in denied
    )


def test_signed_in_patient_saves_self_assessment_answers(page: Page) -> None:
    sign_in(page, HELEN)
    page.goto("/self-assessment")
    for item in sorted({i for f in load_knowledge().red_flags.values() for i in f.screen_items}):
        page.locator(f"input[name='{item}'][value='no']").check()
    page.locator("input[name='readiness-2'][value='yes']").check()
    page.get_by_role("button", name="See what my answers suggest").click()
    check_a11y(page)
    page.get_by_role("button", name="Save to my record").click()
    expect(page).to_have_url(re.compile("/portal/demo-knee-oa"))
    expect(page.get_by_role("status")).to_contain_text("saved to your record")
