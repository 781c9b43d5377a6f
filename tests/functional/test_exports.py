"""Every export (CSV and PDF; the signed report files set theirs in reports/views.py) is
sent with ``Cache-Control: no-store`` and a ``Content-Disposition`` file name, and a reversed
or impossible date range is a message at the date fields, not a bare 400 (issue #15)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.conftest import AuthActions
from tests.functional.screening_helpers import complete_answers, save, start

CSV_EXPORTS = [
    "/people/export.csv",
    "/audit/export.csv",
    "/zone-audits/export.csv",
    "/actions/export.csv",
    "/incidents/export.csv",
    "/muster.csv",
    "/access-log.csv",
]
DATED = [
    "/audit/export.csv",
    "/zone-audits/export.csv",
    "/actions/export.csv",
    "/incidents/export.csv",
    "/access-log.csv",
    "/access-log",
]


@pytest.fixture
def director(client: FlaskClient, auth: AuthActions, setup_data) -> dict[str, int]:  # type: ignore[no-untyped-def]
    ids = setup_data(
        lambda: (
            factories.screener("director", "safety_director"),
            factories.screener("tech1"),
            factories.screening_site(),
        )[2]
    )
    assert auth.sign_in("director", factories.PASSWORD).status_code == 302
    return ids  # type: ignore[no-any-return]


def _assert_export(response, extension: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    assert "no-store" in response.headers.get("Cache-Control", "")
    disposition = response.headers.get("Content-Disposition", "")
    assert disposition.startswith("attachment;") and f'{extension}"' in disposition, disposition


def test_every_export_route_is_covered_here(app: Flask) -> None:
    downloads = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.endswith((".csv", ".pdf", ".xlsx"))
    }
    assert downloads == {
        *CSV_EXPORTS,
        "/screenings/<int:screening_id>/record.pdf",
        # checked in test_training.py::test_certificate_verification_valid_unknown_revoked
        "/training/certificates/<int:certificate_id>.pdf",
    }


@pytest.mark.parametrize("url", CSV_EXPORTS)
def test_a_csv_export_is_not_cached_and_names_its_file(
    client: FlaskClient, director, url: str
) -> None:  # type: ignore[no-untyped-def]
    _assert_export(client.get(url), ".csv")


def test_the_screening_record_pdf_is_not_cached_and_names_its_file(
    app: Flask, client: FlaskClient, director
) -> None:  # type: ignore[no-untyped-def]
    tech = app.test_client()
    AuthActions(tech).sign_in("tech1", factories.PASSWORD)
    sid = start(tech, director["MRI 1"])
    assert save(tech, sid, complete_answers()).status_code == 302
    _assert_export(client.get(f"/screenings/{sid}/record.pdf"), ".pdf")


@pytest.mark.parametrize("url", DATED)
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=2026-02-01&date_to=2026-01-01", "The end date is before the start date."),
        ("date_from=1066-10-14", "Enter a date between 1990 and 2100."),
        ("date_to=2026-13-01", "Not a valid date value."),
    ],
    ids=["reversed", "implausible", "not-a-date"],
)
def test_an_invalid_date_range_is_a_message_at_the_field(
    client: FlaskClient, director, url: str, query: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"{url}?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html, html[:800]
    assert 'class="field-error"' in html
    assert f'action="{url}"' in html or "<table" in html  # sent again to the same export


def test_an_invalid_date_range_keeps_the_other_filters(client: FlaskClient, director) -> None:  # type: ignore[no-untyped-def]
    query = "action=auth.sign_in&date_from=2026-02-01&date_to=2026-01-01"
    response = client.get(f"/audit/export.csv?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'name="action" value="auth.sign_in"' in html
    assert 'value="2026-02-01"' in html
