"""The incident form on a tablet: the people picker works by touch (search, tap, chips)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_site_pages import sign_in

pytestmark = pytest.mark.browser


def test_a_technologist_adds_staff_to_an_incident_by_touch(
    browser, live_server: str, runner
) -> None:  # type: ignore[no-untyped-def]
    assert runner.invoke(["demo", "load"]).exit_code == 0
    context = browser.new_context(viewport={"width": 820, "height": 1180}, has_touch=True)
    page = context.new_page()
    sign_in(page, live_server, "tech", "zonekeeper-tech")
    page.goto(f"{live_server}/incidents/new")
    assert page.locator("#staff_person_ids").is_hidden()  # the roster list is replaced
    search = page.locator("#staff_person_ids-search")
    search.fill("gonz")
    page.locator(".picker-result", has_text="Gonzalez, Maria").tap()
    search.fill("brown")
    page.locator(".picker-result", has_text="Brown, Olivia").tap()
    chips = page.locator(".people-picker .chip")
    assert chips.count() == 2
    chips.filter(has_text="Brown").locator(".chip-remove").tap()  # changed her mind
    assert chips.count() == 1
    screenshot(page, "incident-people-picker")
    page.fill("#description", "Wheelchair stopped at the Zone IV door by the technologist")
    page.select_option("#zone", "IV")
    page.select_option("#category", index=1)
    page.select_option("#severity", index=1)
    page.fill("#occurred_at", "2026-11-29T08:15")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    body = page.locator("main").inner_text()
    assert "Gonzalez" in body and "Brown" not in body, body
    context.close()
