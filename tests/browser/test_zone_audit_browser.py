"""An MRSO's morning on a tablet: the 3 T room audit with one failure, the action on the
dashboard, a near-miss report, and the month's audits exported."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_site_pages import sign_in

pytestmark = pytest.mark.browser


def test_daily_audit_with_a_failure_opens_an_action(browser, live_server: str, runner) -> None:  # type: ignore[no-untyped-def]
    assert runner.invoke(["demo", "load"]).exit_code == 0
    context = browser.new_context(
        viewport={"width": 1024, "height": 768}, accept_downloads=True
    )  # a tablet
    page = context.new_page()
    sign_in(page, live_server, "mrso", "zonekeeper-mrso")
    page.click("nav >> text=Zone audits")
    card = page.locator("article.audit-card", has_text="MRI 2 magnet room")
    assert "Due" in card.inner_text()
    card.locator('button:has-text("Start today\'s audit")').click()

    items = page.locator("li.check-item")
    count = items.count()
    assert count >= 5  # the five daily items, plus weekly/monthly ones not yet done this period
    with page.expect_navigation():  # a form post: wait for the new page
        page.click("button:has-text('Sign audit')")  # nothing answered: refused, item by item
    assert page.locator(".check-item.has-error").count() == count

    for n in range(count):
        item = items.nth(n)
        if "No unlabelled or unknown items" in item.inner_text():
            item.locator("label.choice-fail").click()
        else:
            item.locator("label.choice-pass").click()
    with page.expect_navigation():  # a form post: wait for the new page
        page.click("button:has-text('Save draft')")
    assert page.locator(".flash").inner_text() == "Draft saved."
    with page.expect_navigation():  # a form post: wait for the new page
        page.click("button:has-text('Sign audit')")  # the failure has no comment yet
    failing = page.locator("li.check-item.has-error")
    assert failing.count() == 1 and "comment is required" in failing.inner_text()
    failing.locator("textarea").fill("Unlabelled IV pole in the corner; removed to Zone II")
    with page.expect_navigation():
        page.click("button:has-text('Sign audit')")
    assert "Audit signed. 1 corrective action(s) opened." in page.locator(".flash").inner_text()
    assert "locked" in page.locator(".page-head").inner_text()
    screenshot(page, "zone-audit-signed")

    page.click("nav >> text=Safety")
    actions_panel = page.locator("section[aria-labelledby=p-actions]")
    assert "2 open" in actions_panel.inner_text()  # the demo's extinguisher, and ours
    assert "No unlabelled or unknown items in Zone IV" in actions_panel.inner_text()
    screenshot(page, "safety-dashboard")

    page.click("nav >> text=Incidents")
    page.click("text=Report an incident or near miss")
    from zonekeeper.db import utcnow

    page.fill("#occurred_at", utcnow().strftime("%Y-%m-%dT%H:%M"))  # the test site runs on UTC
    page.select_option("#zone", "IV")
    page.select_option("#room_id", label="MRI 2 magnet room")
    page.select_option("#scanner_id", label="MRI 2")
    page.select_option("#category", "projectile")
    page.select_option("#severity", "near_miss")
    page.fill(
        "#description",
        "A porter brought a ferromagnetic oxygen cylinder to the Zone IV door; "
        "the technologist stopped it at the door.",
    )
    page.fill(
        "#immediate_actions", "Cylinder taken back to Zone I; MR Conditional cylinder fetched."
    )
    page.click("main button[type=submit]")
    assert "reached the MRSO" in page.locator(".flash").inner_text()
    page.click("nav >> text=Safety")
    incidents_panel = page.locator("section[aria-labelledby=p-incidents]")
    assert "Projectile" in incidents_panel.inner_text() and "new" in incidents_panel.inner_text()

    page.goto(f"{live_server}/zone-audits/")
    today = utcnow().date()
    page.fill("input[name=date_from]", today.replace(day=1).isoformat())
    page.fill("input[name=date_to]", today.isoformat())
    with page.expect_download() as download:
        page.click("button:has-text('Export CSV')")
    frame = pd.read_csv(io.BytesIO(download.value.path().read_bytes()), encoding="utf-8-sig")
    todays = frame[frame["audit_date"] == today.isoformat()]
    assert len(todays) == count and len(frame) > count  # the month holds the demo's history too
    assert todays["result"].value_counts()["fail"] == 1
    context.close()
