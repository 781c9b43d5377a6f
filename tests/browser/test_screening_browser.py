"""A technologist screens a patient with a 1.5 T-only stent booked on the 3 T, in Chromium:
not cleared on the 3 T, eligible on the 1.5 T; move the exam, Level 2 review and
constraints, final check, safe to scan, and the printable record."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_site_pages import sign_in

pytestmark = pytest.mark.browser


def _sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.click("button:has-text('Sign out')")
    expect(page).to_have_url(re.compile(r"/sign-in"))


def test_stent_patient_moved_to_the_15t_and_cleared_to_scan(
    browser, live_server: str, runner
) -> None:  # type: ignore[no-untyped-def]
    assert runner.invoke(["demo", "load"]).exit_code == 0
    context = browser.new_context(viewport={"width": 1024, "height": 768})  # a tablet
    page = context.new_page()
    sign_in(page, live_server, "tech", "zonekeeper-tech")
    page.click("nav >> text=Screening")
    page.click("text=New screening")
    page.fill("#mrn", "MRN-778812")
    page.fill("#given_name", "Rosa")
    page.fill("#family_name", "Martins")
    page.fill("#date_of_birth", "1961-07-14")
    page.select_option("#scanner_id", label="MRI 2 (3 T)")
    page.select_option("#body_region", "head")
    page.select_option("#transmit_coil", "body")
    page.select_option("#setting", "outpatient")  # nothing clinical is preset
    page.click("text=Start the screening form")

    form = page.locator("#questionnaire")
    page.click("#q-respondent label.choice-patient")
    assert page.locator("#q-proxy_name").is_hidden()
    page.click("#q-history_reliable label.choice-yes")
    page.fill("#weight_kg", "68")
    page.fill("#height_cm", "164")
    for question in form.locator(".q-yes_no_unknown:not([data-show-if])").all():
        qid = question.get_attribute("id")
        if qid in ("q-history_reliable",):
            continue
        question.locator("label.choice-no").click()
    page.click("#q-stent_coil_filter label.choice-yes")
    page.click("#q-eye_injury label.choice-yes")  # a follow-up appears ...
    assert page.locator("#q-eye_injury_treated").is_visible()
    page.click("#q-eye_injury label.choice-no")  # ... and goes again
    assert page.locator("#q-eye_injury_treated").is_hidden()

    page.click("#add-implant")
    card = page.locator(".implant-card").first
    card.locator('[data-key="category"]').select_option("stent_coil_filter")
    card.locator('[data-key="description"]').fill("Coronary stent")
    card.locator('[data-key="manufacturer"]').fill("Acme")
    card.locator('[data-key="implant_date"]').fill("2019-03-02")
    card.locator('[data-key="astm_class"]').select_option("mr_conditional")
    card.locator('[data-key="complete_system"]').select_option("true")
    card.locator('[data-key="abandoned_components"]').select_option("false")
    card.locator('[data-key="field_strengths"]').fill("1.5")
    card.locator('[data-key="max_spatial_gradient"]').fill("3000")
    card.locator('[data-key="max_spatial_gradient.unit"]').select_option("G/cm")
    card.locator('[data-key="max_b1rms"]').fill("2.0")
    card.locator('[data-key="active_scan_minutes"]').fill("30")
    card.locator('[data-key="operating_mode"]').select_option("normal")
    page.click("#save-answers")

    banner = page.locator("#outcome")
    expect(banner).to_contain_text("Not cleared on the 3 T (MRI 2)")  # waits for the new page
    text = banner.inner_text()
    assert "Not cleared on the 3 T (MRI 2)" in text, text
    assert "Eligible on the 1.5 T (MRI 1) with these constraints" in text
    assert "B1+rms ≤ 2 µT" in text
    screenshot(page, "screening-not-cleared-on-3t")
    page.click("text=Record the first screen")
    expect(page.locator("#state")).to_have_text("Waiting for the Level 2 review")
    url = page.url
    _sign_out(page)

    sign_in(page, live_server, "mrso", "zonekeeper-mrso")  # a different Level 2 person
    page.goto(url)
    page.fill("#note", "Went through each answer; stent card seen (Acme, 2019).")
    page.check("#reviewed")
    page.click("text=Record the Level 2 review")
    expect(page.locator("#state")).to_have_text("Reviewed by Level 2")
    page.click("text=Move the exam to MRI 1")
    expect(page.locator("#outcome")).to_contain_text("Conditional on the 1.5 T (MRI 1)")
    boxes = page.locator("#constraints input[type=checkbox]")
    total = boxes.count()
    assert total >= 3
    for n in range(total):
        boxes.nth(n).check()
    page.click("text=Confirm the ticked constraints")
    expect(page.locator("#constraints li.confirmed")).to_have_count(total)
    page.check("#forms_reviewed")
    page.check("#visual_inspection")
    page.click("#final-check label:has-text('Used: no alarm')")
    page.click("text=Record the final check")
    expect(page.locator("#state")).to_have_text("Safe to scan")
    screenshot(page, "screening-safe-to-scan")

    page.click("text=Printable record")
    expect(page.locator("article.record")).to_contain_text("MR safety screening record")
    record = page.locator("article.record").inner_text()
    for expected in ("MRN-778812", "Coronary stent", "MR Conditional (C106046)", "tech", "mrso",
                     "Policy version", "B1+rms"):  # fmt: skip
        assert expected in record, expected
    page.emulate_media(media="print")
    assert page.locator(".toolbar").is_hidden()
    screenshot(page, "screening-record-print")
    context.close()


def test_radiologist_records_the_orbit_clearance_of_the_demo_patient(
    browser, live_server: str, runner
) -> None:  # type: ignore[no-untyped-def]
    """DEMO-0003 waits for an orbit clearance: the technologist sees who must sign; the
    director (MRMD and Level 2 MR physician) records it and the patient is cleared."""
    assert runner.invoke(["demo", "load"]).exit_code == 0
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    sign_in(page, live_server, "tech", "zonekeeper-tech")
    page.click("nav >> text=Screening")
    page.click("text=Victor Hale")
    banner = page.locator("#outcome")
    expect(banner).to_contain_text("More information required before the 1.5 T (MRI 1)")
    offer = page.locator("#signoff-orbits")
    offer.locator("summary").click()
    expect(offer).to_contain_text("Your account cannot sign this")
    url = page.url
    _sign_out(page)

    sign_in(page, live_server, "director", "zonekeeper-director")
    page.goto(url)
    offer = page.locator("#signoff-orbits")
    offer.locator("summary").click()
    offer.locator("textarea[name=basis]").fill(
        "Orbit radiographs, 2 views, read: no metallic foreign body"
    )
    screenshot(page, "screening-signoff-form")
    offer.locator("button[type=submit]").click()
    expect(page.locator("#outcome")).to_contain_text("Cleared on the 1.5 T (MRI 1)")
    expect(page.locator("#signoffs")).to_contain_text("Orbit clearance")
    expect(page.locator("#signoffs")).to_contain_text("Amara Okafor")
    screenshot(page, "screening-signoff-recorded")
    page.click("text=Printable record")
    expect(page.locator("article.record")).to_contain_text("Physicians' sign-offs")
    context.close()


def test_a_new_screenings_first_question_is_on_the_first_tablet_screen(
    browser, live_server: str, runner
) -> None:  # type: ignore[no-untyped-def]
    """Issue #16: at 820x1180 the first question started ~5,600 px down, under ~36
    "Unanswered" reasons; nothing clinical may be preset on the way in."""
    assert runner.invoke(["demo", "load", "--if-empty"]).exit_code == 0
    context = browser.new_context(viewport={"width": 820, "height": 1180}, has_touch=True)
    page = context.new_page()
    sign_in(page, live_server, "tech", "zonekeeper-tech")
    page.goto(f"{live_server}/screenings/new")
    for select in ("#scanner_id", "#body_region", "#transmit_coil", "#setting"):
        assert page.locator(select).input_value() == "", select  # chosen, never preset
    page.fill("#mrn", "MRN-820118")
    page.fill("#given_name", "Tess")
    page.fill("#family_name", "Tablet")
    page.fill("#date_of_birth", "1984-02-29")
    page.select_option("#scanner_id", label="MRI 1 (1.5 T)")
    page.select_option("#body_region", "lower_extremity")
    page.select_option("#transmit_coil", "knee")
    page.select_option("#setting", "outpatient")
    page.click("text=Start the screening form")
    page.wait_for_load_state()
    first = page.locator("#questionnaire .question").first
    box = first.bounding_box()
    assert box is not None and box["y"] + 60 < 1180, box  # on the first screen, unscrolled
    reasons = page.locator(".outcome-reasons > li")
    assert reasons.count() <= 4  # grouped, not one line per open question
    assert "questions not answered yet" in reasons.first.inner_text()
    screenshot(page, "screening-new-tablet")
    context.close()
