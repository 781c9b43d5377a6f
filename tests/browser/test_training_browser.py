"""Issue #14 end to end in Chromium: a nurse whose Level 1 training has lapsed is refused
at the Zone III door, signs in as staff on a phone, passes the Level 1 quiz, downloads her
certificate (its QR decodes to the verify page, which says valid), and the door lets her in.

The course is whichever Level 1 course the app has loaded (the test reads the right
answers from it), so the test keeps working when the course text changes.
"""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from flask import Flask

from tests import factories
from tests.browser.conftest import screenshot
from tests.browser.test_site_pages import sign_in
from tests.conftest import IN_CI

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _site(app: Flask) -> dict[str, object]:
    from zonekeeper.doors.devices import add_device
    from zonekeeper.extensions import db

    with app.app_context():
        factories.door_site()
        nurse = factories.person(
            given="Nora", family="Lapsed", level="level_1", trained_days_ago=380
        )
        nurse.job_title = "Nurse"
        escort = factories.person(given="Lee", family="Tech", level="level_2", trained_days_ago=20)
        factories.user("nora", "staff", person_id=nurse.id)
        site = {
            "nurse_badge": factories.badge(nurse),
            "escort_badge": factories.badge(escort),
            "reader": add_device("zone-iii", "reader 3"),
        }
        db.session.commit()
        db.session.remove()
        return site


def _scan(app: Flask, site: dict[str, object], text: object) -> dict[str, object]:
    client = app.test_client()
    response = client.post(
        "/api/v1/doors/zone-iii/scans",
        json={"text": text, "direction": "in"},
        headers={"Authorization": f"Bearer {site['reader']}"},
    )
    return response.get_json()  # type: ignore[no-any-return]


def _level_1_course(app: Flask):  # type: ignore[no-untyped-def]
    from zonekeeper.training.services import current_courses

    with app.app_context():
        return next(c for c in current_courses().values() if c.grants_level == "level_1")


def _decode_qr(pdf: bytes, tmp_path) -> str:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        if IN_CI:
            pytest.fail("zbarimg (Debian zbar-tools) is needed to decode QR codes", pytrace=False)
        pytest.skip("zbarimg not installed")
    image = PdfReader(io.BytesIO(pdf)).pages[0].images[0].image
    image.save(tmp_path / "qr.png")
    return subprocess.run(
        [zbarimg, "--quiet", "--raw", str(tmp_path / "qr.png")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_lapsed_nurse_retrains_on_her_phone_and_the_door_opens(  # type: ignore[no-untyped-def]
    browser, live_server: str, app: Flask, tmp_path
) -> None:
    site = _site(app)
    refused = _scan(app, site, site["nurse_badge"])
    # lapsed, she is Non-MR: an escort alone is not enough without a Level 2 authorization
    assert refused["outcome"] == "escort_pending", refused
    assert "level_2_authorization_required" in refused["reason_codes"]

    course = _level_1_course(app)
    context = browser.new_context(viewport=PHONE, accept_downloads=True)
    phone = context.new_page()
    sign_in(phone, live_server, "nora", factories.PASSWORD)
    assert phone.url.endswith("/training/")
    assert "lapsed after" in phone.locator("#my-level").inner_text()
    screenshot(phone, "training-home-lapsed-phone")

    phone.click(f"#course-{course.id} button:has-text('Take the quiz')")
    while "/questions/" in phone.url:
        question = course.question(phone.locator("input[name=question_id]").input_value())
        for option_id in question.correct_ids:
            phone.check(f"input[name=answer][value='{option_id}']")
        if phone.locator("h1.question-text").count() and "questions/1" in phone.url:
            screenshot(phone, "training-question-phone")
        phone.click("main button[type=submit]")
    assert "/review" in phone.url
    phone.click("button:has-text('Submit for scoring')")
    assert phone.locator("#result-heading").inner_text() == "Passed"
    screenshot(phone, "training-passed-phone")

    with phone.expect_download() as download_info:
        phone.click("#certificate-link")
    pdf_path = tmp_path / "certificate.pdf"
    download_info.value.save_as(pdf_path)
    url = _decode_qr(pdf_path.read_bytes(), tmp_path)
    assert url.startswith(f"{live_server}/verify/")

    checker = browser.new_context(viewport=PHONE).new_page()  # anyone, not signed in
    checker.goto(url)
    assert checker.locator("#verify-status").inner_text().strip() == "VALID"
    assert "Nora Lapsed" in checker.locator("main").inner_text()
    screenshot(checker, "training-verify-valid")
    context.close()

    granted = _scan(app, site, site["nurse_badge"])
    escort = _scan(app, site, site["escort_badge"])
    assert granted["outcome"] == "grant", granted  # Level 1 again: MR personnel, Zone III
    assert granted["reason_codes"] == ["mr_personnel_zone_iii"]
    assert escort["outcome"] == "grant", escort  # her escort badges in with her
