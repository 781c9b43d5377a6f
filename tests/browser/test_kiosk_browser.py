"""A door kiosk in Chromium: a Level 2 is granted Zone IV, a revoked badge is denied with the
reason, a visitor is paired with a Level 2 escort, both show as inside, emergency mode brings
the muster list, and an unreachable server shows OFFLINE, never a grant."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from tests.browser.conftest import screenshot
from tests.browser.test_site_pages import sign_in

pytestmark = pytest.mark.browser


def _badge_codes(app: Flask, *family_names: str) -> dict[str, tuple[int, int, str]]:
    from zonekeeper.badges.models import Badge
    from zonekeeper.badges.services import token_for
    from zonekeeper.extensions import db
    from zonekeeper.people.models import Person

    with app.app_context():
        rows = db.session.execute(
            select(Badge, Person).join(Person).where(Person.family_name.in_(family_names))
        ).all()
        codes = {p.family_name: (p.id, b.id, token_for(b)) for b, p in rows}
        db.session.remove()
        return codes


def _scan(page, text: str) -> str:  # type: ignore[no-untyped-def]
    """Type like a keyboard-wedge scanner (into whatever has the focus) and wait for the answer."""
    before = page.evaluate("document.body.dataset.lastEvent || ''")
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    for _ in range(100):  # poll from here: the page's CSP forbids wait_for_function's eval
        if page.evaluate("document.body.dataset.lastEvent || ''") != before:
            break
        page.wait_for_timeout(50)
    return page.locator("body").get_attribute("class") or ""


def test_kiosk_grants_denies_pairs_and_fails_closed(  # type: ignore[no-untyped-def]
    browser, live_server: str, runner, app: Flask
) -> None:
    assert runner.invoke(["demo", "load"]).exit_code == 0
    codes = _badge_codes(app, "Reyes", "Natarajan", "Novak", "Cho", "Harris")

    # the MRSO revokes a badge that was reported lost
    office = browser.new_context(viewport={"width": 1280, "height": 900})
    mrso = office.new_page()
    sign_in(mrso, live_server, "mrso", "zonekeeper-mrso")
    mrso.goto(f"{live_server}/people/{codes['Natarajan'][0]}")
    mrso.fill("form[action*=revoke] input[name=reason]", "reported lost")
    mrso.click("button:has-text('Revoke')")
    assert "stops working at once" in mrso.locator(".flash").inner_text()

    kiosk_context = browser.new_context(viewport={"width": 1024, "height": 768})
    kiosk = kiosk_context.new_page()
    sign_in(kiosk, live_server, "kiosk-mri-1", "zonekeeper-kiosk")
    assert kiosk.url.endswith("/kiosk")
    assert "Scan your badge" in kiosk.locator("#ready").inner_text()
    for _ in range(100):  # the always-focused input (polled: the CSP forbids wait_for_function)
        if kiosk.evaluate("document.activeElement.id") == "scan-input":
            break
        kiosk.wait_for_timeout(50)
    assert kiosk.evaluate("document.activeElement.id") == "scan-input"

    assert "state-grant" in _scan(kiosk, codes["Reyes"][2])
    assert kiosk.locator("#result-headline").inner_text() == "GRANTED"
    assert "Daniel Reyes" in kiosk.locator("#result-person").inner_text()
    screenshot(kiosk, "kiosk-granted")
    # again, without an exit: soft anti-passback admits, and says so
    assert "state-grant" in _scan(kiosk, codes["Reyes"][2])
    assert kiosk.locator("#result-headline").inner_text() == "GRANTED"
    assert "No exit recorded" in kiosk.locator("#result-notes").inner_text()
    screenshot(kiosk, "kiosk-granted-no-exit-recorded")

    assert "state-deny" in _scan(kiosk, codes["Natarajan"][2])
    assert kiosk.locator("#result-headline").inner_text() == "DENIED"
    assert "revoked" in kiosk.locator("#result-detail").inner_text()
    screenshot(kiosk, "kiosk-denied-revoked")

    assert "state-escort" in _scan(kiosk, codes["Novak"][2])
    assert kiosk.locator("#result-headline").inner_text() == "ESCORT NEEDED"
    assert "Level 2" in kiosk.locator("#result-detail").inner_text()
    assert re.search(r"\d+ s", kiosk.locator("#result-countdown").inner_text())
    screenshot(kiosk, "kiosk-escort-needed")
    # a Level 1 badges: in for themselves, but cannot take the visitor into Zone IV
    assert "state-grant" in _scan(kiosk, codes["Harris"][2])
    assert kiosk.locator("#result-headline").inner_text() == "GRANTED"
    notes = kiosk.locator("#result-notes").inner_text()
    assert "Still waiting for a Level 2 escort: Peter Novak" in notes
    screenshot(kiosk, "kiosk-still-waiting-for-level-2")
    kiosk.wait_for_selector("body.state-escort", timeout=8000)  # back to the visitor's wait
    assert kiosk.locator("#result-headline").inner_text() == "ESCORT NEEDED"
    assert re.search(r"\d+ s", kiosk.locator("#result-countdown").inner_text())
    assert "state-escorting" in _scan(kiosk, codes["Cho"][2])  # the escort badges within 30 s
    assert kiosk.locator("#result-headline").inner_text() == "ESCORTING"
    assert "Escorting Peter Novak" in kiosk.locator("#result-detail").inner_text()
    screenshot(kiosk, "kiosk-escorting")
    assert kiosk.locator("#result-countdown").inner_text() == ""  # the wait is over
    kiosk.wait_for_selector("#result", state="hidden", timeout=8000)  # back to ready by itself
    assert "state-ready" in (kiosk.locator("body").get_attribute("class") or "")

    mrso.goto(f"{live_server}/inside")
    magnet = mrso.locator("section", has_text="Zone IV · MRI 1 magnet room")
    text = magnet.inner_text()
    assert "Novak, Peter" in text and "Reyes, Daniel" in text and "Cho, Hannah" in text
    assert "Hannah Cho" in text  # Novak's escort
    screenshot(mrso, "inside-now")

    # the patient screened safe to scan gets a wristband; at the kiosk she is chosen from the list
    from zonekeeper.extensions import db
    from zonekeeper.screening.models import Screening, ScreeningSubject

    with app.app_context():
        screening_id = db.session.scalars(
            select(Screening.id).join(ScreeningSubject).where(ScreeningSubject.mrn == "DEMO-0001")
        ).first()
        db.session.remove()
    mrso.goto(f"{live_server}/screenings/{screening_id}")
    mrso.click("button:has-text('Print wristband')")
    assert "VARGA, Elena" in mrso.locator(".wristband").inner_text()
    screenshot(mrso, "wristband")
    # an escort wait that runs out says so (a 2 s window for the test)
    app.config["ESCORT_WINDOW_SECONDS"] = 2
    try:
        kiosk.reload()
        kiosk.click("summary:has-text('Choose them')")
        kiosk.click("button.tap-scan:has-text('E. V. · born 1978')")
        kiosk.wait_for_selector("body.state-escort", timeout=5000)
        kiosk.wait_for_selector("body.state-expired", timeout=8000)
    finally:
        app.config["ESCORT_WINDOW_SECONDS"] = 30
    assert kiosk.locator("#result-headline").inner_text() == "ESCORT WAIT EXPIRED"
    assert (
        "Escort wait expired: badge again with your escort"
        in kiosk.locator("#result-detail").inner_text()
    )
    assert "Elena Varga" in kiosk.locator("#result-person").inner_text()
    screenshot(kiosk, "kiosk-escort-wait-expired")
    kiosk.wait_for_selector("body.state-ready", timeout=8000)

    kiosk.reload()
    kiosk.click("summary:has-text('Choose them')")
    tap_list = kiosk.locator(".tap-list").inner_text()
    assert "E. V. · born 1978" in tap_list and "Varga" not in tap_list  # no names on a kiosk
    screenshot(kiosk, "kiosk-tap-list")
    before = kiosk.evaluate("document.body.dataset.lastEvent || ''")
    kiosk.click("button.tap-scan:has-text('E. V. · born 1978')")
    for _ in range(100):
        if kiosk.evaluate("document.body.dataset.lastEvent || ''") != before:
            break
        kiosk.wait_for_timeout(50)
    assert kiosk.locator("#result-headline").inner_text() == "ESCORT NEEDED"
    assert "Elena Varga" in kiosk.locator("#result-person").inner_text()
    assert "state-escorting" in _scan(kiosk, codes["Cho"][2])
    assert "Escorting Elena Varga" in kiosk.locator("#result-detail").inner_text()

    # the server cannot be reached: OFFLINE, never a grant
    kiosk.route("**/api/v1/doors/**", lambda route: route.abort())
    assert "state-offline" in _scan(kiosk, codes["Reyes"][2])
    assert "paper procedure" in kiosk.locator("#offline").inner_text()
    assert kiosk.locator("#result").is_hidden()
    screenshot(kiosk, "kiosk-offline")
    kiosk.unroute("**/api/v1/doors/**")

    # the MRSO declares a fire: the muster list leads, the kiosk logs without deciding
    mrso.goto(f"{live_server}/emergency")
    mrso.check("input[value=fire]")
    mrso.click("button:has-text('Declare emergency')")
    assert mrso.url.endswith("/muster")
    assert "EMERGENCY DECLARED" in mrso.locator(".emergency-banner").inner_text()
    assert "Novak, Peter" in mrso.locator("table.muster").inner_text()
    screenshot(mrso, "muster-list")
    assert mrso.locator("#zone-iv-alert").count() == 0
    updated = mrso.locator(".live-updated time").inner_text()
    assert "state-emergency" in _scan(kiosk, codes["Reyes"][2])
    assert "FIRE" in kiosk.locator("body").inner_text()
    notes = kiosk.locator("#result-notes").inner_text()
    assert "Logged: Daniel Reyes entering Zone IV." in notes  # every scan is acknowledged
    assert "muster screen is alerted" in notes
    screenshot(kiosk, "kiosk-emergency")
    # the muster list refreshes itself: the Zone IV badge-in during the fire is an alert
    mrso.wait_for_selector("#zone-iv-alert", timeout=12000)
    alert = mrso.locator("#zone-iv-alert").inner_text()
    assert "Zone IV during the fire" in alert and "Daniel Reyes" in alert
    assert mrso.locator(".live-updated time").inner_text() >= updated
    screenshot(mrso, "muster-zone-iv-alert")
    mrso.locator("tr", has_text="Novak, Peter").locator("button:has-text('Mark safe')").click()
    assert "Safe" in mrso.locator("tr", has_text="Novak, Peter").inner_text()

    # ending the emergency asks for confirmation and offers to mark everyone out
    mrso.goto(f"{live_server}/emergency")
    mrso.click("a:has-text('End the emergency')")
    assert "still recorded inside" in mrso.locator("main").inner_text()
    mrso.check("input[name=mark_out]")
    mrso.fill("input[name=reason]", "Building evacuated, all accounted for at the muster point")
    mrso.click("button:has-text('End the emergency')")
    assert "Tick to confirm" in mrso.locator("main").inner_text()  # not without confirming
    screenshot(mrso, "emergency-end-confirm")
    mrso.check("input[name=confirm]")
    mrso.fill("input[name=reason]", "Building evacuated, all accounted for at the muster point")
    mrso.check("input[name=mark_out]")
    mrso.click("button:has-text('End the emergency')")
    assert mrso.url.endswith("/inside")
    assert "No one is recorded inside" in mrso.locator("#live").inner_text()
    screenshot(mrso, "inside-after-emergency")
    # "Inside now" refreshes itself too: a scan at the kiosk appears without a reload
    kiosk.wait_for_selector("body.state-ready", timeout=15000)  # the kiosk saw the end
    assert "state-grant" in _scan(kiosk, codes["Reyes"][2])
    mrso.wait_for_selector("#live:has-text('Reyes, Daniel')", timeout=12000)
    office.close()
    kiosk_context.close()
