"""The first pages, used in headless Chromium as a technologist would."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_site(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(["demo", "load"])
    assert result.exit_code == 0, result.output


def sign_in(page, base: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/")
    assert "/sign-in" in page.url
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main button[type=submit]")


def test_sign_in_and_see_the_site(page, live_server: str, demo_site: None) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_server, "tech", "wrong password here")
    assert page.locator(".field-error").inner_text().startswith("Wrong username or password")
    sign_in(page, live_server, "tech", "zonekeeper-tech")
    page.wait_for_selector("h1:has-text('Site overview')")
    zones = page.locator("article.zone h3").all_inner_texts()
    assert [z.split()[0:2] for z in zones] == [
        ["Zone", "I"],
        ["Zone", "II"],
        ["Zone", "III"],
        ["Zone", "IV"],
    ]
    scanner_rows = page.locator("section[aria-labelledby=scanners-heading] tbody tr")
    assert scanner_rows.count() == 2
    assert "3 T" in scanner_rows.nth(1).inner_text()
    door_text = page.locator("section[aria-labelledby=doors-heading]").inner_text()
    assert "MRI 1 door" in door_text and "Zone III door" in door_text
    assert page.locator(".tile-deny .tile-number").inner_text() == "2"  # Walsh and Kim lapsed
    screenshot(page, "site-overview")


def test_access_check_explains_a_denial(page, live_server: str, demo_site: None) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_server, "mrso", "zonekeeper-mrso")
    page.click("nav >> text=Access check")
    page.select_option("#person_id", label="Green, Rachel (staff)")
    page.select_option("#target_zone", "IV")
    page.select_option("#escort_id", label="Harris, Ben")
    page.check("#level_2_authorized")
    page.click("main button[type=submit]")
    outcome = page.locator(".decision-outcome")
    assert outcome.inner_text() == "DENIED"
    assert "Level 1 MR personnel may not admit" in page.locator(".reasons").inner_text()
    page.click("text=How the rules were evaluated")
    assert page.locator("table.trace tr.fired").count() >= 1
    screenshot(page, "access-check-denied")

    page.select_option("#escort_id", label="Gonzalez, Maria")
    with page.expect_navigation():  # the old page's outcome must not be read
        page.click("main button[type=submit]")
    assert page.locator(".decision-outcome").inner_text() == "GRANTED WITH ESCORT"
    screenshot(page, "access-check-escorted")


def test_sign_out_ends_the_session(page, live_server: str, demo_site: None) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_server, "director", "zonekeeper-director")
    page.wait_for_selector("h1:has-text('Site overview')")
    page.click("header button:has-text('Sign out')")
    assert page.locator(".flash").inner_text() == "You are signed out."
    page.goto(f"{live_server}/policy")
    assert "/sign-in" in page.url
