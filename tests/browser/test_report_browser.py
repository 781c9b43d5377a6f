"""The safety director's month end in Chromium: open last month's report from the
navigation, drill into a missed audit, sign the report and download the XLSX."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from tests import factories
from tests.browser.conftest import screenshot
from tests.browser.test_site_pages import sign_in
from tests.report_dataset import build_october

pytestmark = pytest.mark.browser


def test_director_signs_last_month_and_downloads_the_xlsx(
    browser, live_server: str, setup_data
) -> None:  # type: ignore[no-untyped-def]
    setup_data(build_october)  # the last complete month before today (2026-11-29) is October
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    sign_in(page, live_server, "director", factories.PASSWORD)
    page.click("nav >> text=Reports")
    page.wait_for_selector("h1:has-text('Compliance reports')")
    page.click("text=Open the October 2026 report")
    page.wait_for_selector("h1:has-text('October 2026')")
    assert page.locator(".report-status-missed").count() > 0
    missed = page.locator("#metric-audits\\.missed_days")
    assert "Target missed" in missed.inner_text()
    assert "Days an audit was due" in (missed.locator("span[title]").get_attribute("title") or "")
    page.wait_for_load_state("networkidle")  # the charts are images from a route
    assert page.locator("figure.report-chart img").first.evaluate("i => i.naturalWidth") > 0
    screenshot(page, "report-october")

    missed.locator("td.num a").click()
    page.wait_for_selector("h2:has-text('The records behind this figure')")
    rows = page.locator("tbody tr")
    assert rows.count() == 3
    assert "2026-10-16" in page.inner_text("tbody")
    screenshot(page, "report-drill-missed-audits")
    page.click("text=October 2026 report")

    page.fill(
        "textarea[name=comment]", "Reviewed with the MRSO: the missed audits are followed up."
    )
    with page.expect_navigation():
        page.click("button:has-text('Sign the October 2026 report')")
    assert "Signed October 2026 as version 1" in page.inner_text(".flash")
    with page.expect_download() as caught:
        page.click("#versions >> text=XLSX")
    download = caught.value
    assert download.suggested_filename == "zonekeeper-monthly-2026-10-v1.xlsx"
    data = Path(download.path()).read_bytes()
    audits = pd.read_excel(io.BytesIO(data), sheet_name="Zone audits", header=1)
    overall = audits[audits["Metric id"].eq("audits.missed_days") & audits["Breakdown"].isna()]
    assert float(overall["Value"].iloc[0]) == 3
    summary = pd.read_excel(io.BytesIO(data), sheet_name="Summary", header=None)
    assert "signed v1" in " ".join(str(v) for v in summary[1])
    screenshot(page, "report-signed")
    context.close()
