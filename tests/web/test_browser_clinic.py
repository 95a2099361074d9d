"""Browser walk of the clinic workspace: a clinician takes a referred patient from
consultation to follow-up, every form through the page, every page checked with axe-core."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Locator, Page, expect

from ._browser import CLINICIAN, COORDINATOR, check_a11y, shot, sign_in
from ._server import LiveServer

PATIENT = "Grace Okafor"  # demo-onset-3-months: referred, lumbar radicular pain


def _form(page: Page, event: str) -> Locator:
    details = page.locator(f"#event-{event}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return details.locator("form")


def _state(page: Page, state: str) -> None:
    expect(page.locator("#state")).to_contain_text(f"Stage: {state.replace('-', ' ')}")


def test_clinician_takes_a_patient_from_consultation_to_follow_up(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, CLINICIAN)
    expect(page).to_have_url(re.compile("/clinic$"))
    expect(page.get_by_role("heading", name="Worklist")).to_be_visible()
    check_a11y(page)
    shot(page, "worklist")

    page.get_by_role("navigation", name="Pathway stages").get_by_role(
        "link", name="referred"
    ).click()
    expect(page.locator("#count")).to_contain_text("at stage “referred”")
    page.get_by_role("link", name=PATIENT).click()
    expect(page.get_by_role("heading", name=PATIENT, level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Record timeline")).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name=re.compile("Episode .*: referred")).click()
    _state(page, "referred")
    check_a11y(page)

    # consultation: a required field left empty is refused next to it; what was typed stays
    form = _form(page, "consult")
    form.get_by_label("History of the pain").fill("Left leg pain for three months.")
    form.get_by_label("Previous treatments").fill("Eight weeks of physical therapy.")
    form.get_by_label("Symptoms").fill("Burning left leg pain, NRS 7.")
    form.get_by_role("button", name="Record the consultation").click()
    _state(page, "referred")
    form = page.locator("#event-consult form")
    expect(form.locator("#consult-exam-error")).to_contain_text("required")
    expect(form.get_by_label("History of the pain")).to_have_value(
        "Left leg pain for three months."
    )
    expect(form.get_by_label("Examination findings")).to_have_attribute("aria-invalid", "true")
    check_a11y(page)
    shot(page, "consultation-error")
    form.get_by_label("Examination findings").fill("Positive straight leg raise on the left.")
    form.get_by_role("button", name="Record the consultation").click()
    _state(page, "consultation")

    # the engine's assessment, stored with the episode
    _form(page, "assess").get_by_role(
        "button", name="Store the decision-support assessment"
    ).click()
    _state(page, "assessed")
    panel = page.locator("section.assessment")
    expect(panel).to_contain_text("refer interventional")
    expect(panel.get_by_role("heading", name=re.compile("Coverage"))).not_to_have_count(0)
    check_a11y(page)
    shot(page, "assessment-panel")

    # the plan builder: the assessment's options first
    form = _form(page, "plan")
    form.locator("input[name='procedures'][value='esi-transforaminal-lumbar']").check()
    form.get_by_label("Physical therapy and exercise").fill("Home exercise programme.")
    form.get_by_role("button", name="Agree the treatment plan").click()
    _state(page, "assessed")  # the discussions were not ticked: refused, nothing stored
    expect(page.locator("#event-plan .error-summary")).to_contain_text("Nothing was saved")
    form = page.locator("#event-plan form")
    expect(
        form.locator("input[name='procedures'][value='esi-transforaminal-lumbar']")
    ).to_be_checked()
    for label in ("Benefits discussed", "Risks discussed", "Alternatives discussed"):
        form.get_by_label(label).check()
    form.get_by_role("button", name="Agree the treatment plan").click()
    _state(page, "planned")

    form = _form(page, "schedule")
    form.get_by_label("Procedure").select_option("esi-transforaminal-lumbar")
    form.get_by_label("Date and time").fill("2026-06-01T15:00")
    form.get_by_label("Location").fill("Suite 1")
    form.get_by_role("button", name="Book the procedure").click()
    _state(page, "scheduled")

    _form(page, "check-in").get_by_role("button", name="Open the procedure day").click()
    _state(page, "procedure-day")

    # the checklist: each step with its time (the next step and now are filled in)
    for step in ("arrival", "gown", "iv", "site-prepared", "procedure"):
        form = _form(page, "record-step")
        expect(form.get_by_label("Checklist step")).to_have_value(step)
        form.get_by_role("button", name="Record a checklist step").click()
        _state(page, "procedure-day")
        expect(page.locator("#event-record-step .error-summary")).to_have_count(0)
    form = _form(page, "record-step")
    form.get_by_label("Vital signs").fill("BP 128/80, HR 72")
    form.get_by_label("Pain score").fill("2")
    form.get_by_role("button", name="Record a checklist step").click()
    expect(page.locator("#recovery-timer")).to_contain_text("Recovery:")

    # going home before the recovery minimum is refused, next to the time
    form = _form(page, "record-step")
    form.get_by_label("Checklist step").select_option("discharge")
    form.get_by_label("Aftercare instructions given").fill(
        "Rest today; call for fever or weakness."
    )
    form.get_by_role("button", name="Record a checklist step").click()
    expect(page.locator("#record-step-at-error")).to_contain_text("Recovery lasted 0 minutes")
    expect(
        page.locator("#event-record-step form").get_by_label("Aftercare instructions given")
    ).to_have_value("Rest today; call for fever or weakness.")
    check_a11y(page)
    shot(page, "procedure-day-checklist")

    live_server.clock.advance(timedelta(minutes=40))
    page.goto(page.url.split("#")[0])  # the refused form's address leads back to the episode
    expect(page.locator("#recovery-timer .minutes")).to_have_text(re.compile(r"^(4\d)$"))
    form = _form(page, "record-step")
    form.get_by_label("Checklist step").select_option("discharge")
    form.get_by_label("Aftercare instructions given").fill(
        "Rest today; call for fever or weakness."
    )
    form.get_by_role("button", name="Record a checklist step").click()
    expect(page.locator("#recovery-timer")).to_contain_text("ended")

    _form(page, "complete-procedure-day").get_by_role(
        "button", name="Close the procedure day"
    ).click()
    _state(page, "follow-up")

    form = _form(page, "record-visit")
    form.get_by_label("Response").select_option("improved")
    form.get_by_label("Relief (%)").fill("150")
    form.get_by_label("Pain score").fill("3")
    form.get_by_role("button", name="Record a follow-up visit").click()
    expect(page.locator("#record-visit-relief_percent-error")).to_contain_text("from 0 to 100")
    form = page.locator("#event-record-visit form")
    expect(form.get_by_label("Pain score")).to_have_value("3")
    form.get_by_label("Relief (%)").fill("60")
    form.get_by_role("button", name="Record a follow-up visit").click()
    _state(page, "follow-up")
    visits = page.get_by_role("heading", name="Follow-up visits")
    expect(visits).to_be_visible()
    expect(page.locator("section", has=visits)).to_contain_text("60%")
    check_a11y(page)
    shot(page, "follow-up")


def test_coordinator_opens_an_episode_from_the_chart(page: Page) -> None:
    sign_in(page, COORDINATOR)
    page.get_by_role("navigation", name="Pathway stages").get_by_role(
        "link", name="cancelled"
    ).click()
    page.locator("table tbody th a").first.click()
    page.get_by_text("Open an episode (record the referral)").click()
    form = page.locator("form[action$='/episodes']")
    form.get_by_role("button", name="Open the episode").click()  # nothing filled in
    expect(page.locator("#open-reason-error")).to_contain_text("required")
    check_a11y(page)
    form = page.locator("form[action$='/episodes']")
    form.get_by_label("Referred by a clinician, or self-referred").select_option("self-referral")
    form.get_by_label("Reason for referral").fill("Back pain is back.")
    form.get_by_role("button", name="Open the episode").click()
    _state(page, "referred")
    # the front desk may cancel or book, never record clinical steps
    expect(page.get_by_text("Record the consultation")).to_have_count(0)
    expect(page.get_by_role("button", name="Cancel the episode")).to_be_visible()
    check_a11y(page)
