"""The roster used in headless Chromium: an MRSO records a training."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_site_pages import sign_in

pytestmark = pytest.mark.browser


def test_mrso_records_training_and_the_level_changes(page, live_server: str, runner) -> None:  # type: ignore[no-untyped-def]
    assert runner.invoke(["demo", "load"]).exit_code == 0
    sign_in(page, live_server, "mrso", "zonekeeper-mrso")
    page.click("nav >> text=Roster")
    page.fill("#q", "Schmidt")
    page.click("main form.filters button[type=submit]")
    page.click("text=Schmidt, Noah")
    level = page.locator("#level-heading .level")
    assert level.inner_text() == "Non-MR personnel"
    assert "No MR safety training is on record" in page.locator("#level-why").inner_text()

    page.click("text=Record training")
    # each submit is a page load: wait for it (count() and the old page do not wait)
    with page.expect_navigation():
        page.click("main button[type=submit]")  # empty form: messages at the fields
    assert page.locator(".field-error").count() >= 3
    page.fill("#completed_on", "2099-01-01")
    page.select_option("#level", "level_2")
    page.fill("#course", "MR Safety Level 2")
    page.fill("#course_version", "2026.1")
    page.fill("#evidence", "quiz 19/20")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "This date is in the future." in page.locator(".field-error").first.inner_text()
    from zonekeeper.db import utcnow

    page.fill("#completed_on", utcnow().date().isoformat())
    with page.expect_navigation():
        page.click("main button[type=submit]")

    assert page.locator(".flash").inner_text() == "Training recorded."
    assert level.inner_text() == "Level 2 MR personnel"
    assert "current until" in page.locator("#level-why").inner_text()
    assert page.locator("#training-history tbody tr").count() == 1
    screenshot(page, "person-after-training")
