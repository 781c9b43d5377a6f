"""The director's Reports pages through the Flask client: list, preview, charts,
drill-down (MRN by role), signing (CSRF, audit trail, frozen), downloads as signed."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import csrf_token
from tests.report_dataset import build_october
from zonekeeper.audit.models import AuditEvent
from zonekeeper.extensions import db
from zonekeeper.incidents.models import Incident
from zonekeeper.reports.models import ReportFile, ReportSnapshot, SnapshotFrozenError

OCTOBER = "/reports/monthly/2026-10"


@pytest.fixture
def october(setup_data):  # type: ignore[no-untyped-def]
    return setup_data(build_october)


def _sign_in(auth, username: str) -> None:  # type: ignore[no-untyped-def]
    response = auth.sign_in(username, factories.PASSWORD)
    assert response.status_code == 302


def test_director_finds_the_reports_from_the_navigation(client, auth, october) -> None:  # type: ignore[no-untyped-def]
    _sign_in(auth, "director")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/reports/"' in home
    page = client.get("/reports/").get_data(as_text=True)
    assert "October 2026" in page and "draft, to sign" in page
    assert "Daily audit completion" in page  # key figures at a glance


def test_preview_shows_statuses_previous_month_and_charts_from_a_route(
    client, auth, october
) -> None:  # type: ignore[no-untyped-def]
    _sign_in(auth, "director")
    response = client.get(OCTOBER)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for title in (
        "Attestation",
        "Training",
        "Screening",
        "Contrast",
        "Access",
        "Zone audits",
        "Corrective actions",
        "Incidents and near misses",
        "Trends",
        "Exceptions",
    ):
        assert f"<h2>{title}</h2>" in page
    assert "report-status-missed" in page and "report-status-met" in page
    assert "Previous (2026-09)" in page
    assert "<script" not in page and "style=" not in page  # the CSP forbids inline ones
    assert 'src="/reports/monthly/2026-10/charts/audit-completion.png"' in page
    chart = client.get("/reports/monthly/2026-10/charts/audit-completion.png")
    assert chart.status_code == 200 and chart.mimetype == "image/png"
    assert chart.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get("/reports/monthly/2026-10/charts/nope.png").status_code == 404


def test_drill_down_lists_the_missed_audits(client, auth, october) -> None:  # type: ignore[no-untyped-def]
    _sign_in(auth, "director")
    page = client.get(f"{OCTOBER}/figures/audits.missed_days").get_data(as_text=True)
    assert page.count("<tr>") == 4  # the header and the three missed days
    for day in ("2026-10-15", "2026-10-16", "2026-10-17"):
        assert day in page
    assert "draft, never signed" in page  # the 17th was started, never signed
    one_room = client.get(
        f"{OCTOBER}/figures/audits.completion_rate",
        query_string={"dimension": "Magnet room check · MRI 1 magnet room"},
    ).get_data(as_text=True)
    assert "2026-10-15" in one_room and "2026-10-16" not in one_room


def test_patient_mrn_only_for_roles_that_may_see_it(client, auth, october, setup_data) -> None:  # type: ignore[no-untyped-def]
    _sign_in(auth, "director")
    page = client.get(f"{OCTOBER}/figures/incidents.count").get_data(as_text=True)
    assert "MRN-9001" in page and "Patient MRN" in page
    auth.sign_out()
    _sign_in(auth, "tech")
    assert client.get(f"{OCTOBER}/figures/incidents.count").status_code == 403
    assert client.get("/reports/").status_code == 403


def test_bad_addresses_are_404_not_500(client, auth, october) -> None:  # type: ignore[no-untyped-def]
    _sign_in(auth, "director")
    for url in (
        "/reports/monthly/2026-13",
        "/reports/weekly/2026-10",
        "/reports/monthly/2026-1",
        "/reports/monthly/2999-01",
        f"{OCTOBER}/figures/nope.metric",
        f"{OCTOBER}/figures/screening.count",  # a figure without a drill-down
        f"{OCTOBER}/figures/audits.missed_days?dimension=No such room",
        f"{OCTOBER}/figures/incidents.count?dimension=" + "x" * 400,
        f"{OCTOBER}/figures/access.denials?dimension=%00x",  # NUL stripped: "x", unknown
        f"{OCTOBER}/figures/",
        "/reports/signed/99/pdf",
    ):
        assert client.get(url).status_code == 404, url
    # a dimension the report has is answered
    assert client.get(f"{OCTOBER}/figures/audits.missed_days?dimension=").status_code == 200


def test_signing_freezes_a_snapshot_audits_it_and_downloads_exactly(  # type: ignore[no-untyped-def]
    client, auth, october, app, setup_data
) -> None:
    _sign_in(auth, "director")
    page = client.get(OCTOBER).get_data(as_text=True)
    refused = client.post(f"{OCTOBER}/sign", data={"comment": "Reviewed"})
    assert refused.status_code == 400  # no CSRF token
    token = csrf_token(page)
    empty = client.post(f"{OCTOBER}/sign", data={"comment": "", "csrf_token": token})
    assert empty.status_code == 302
    signed = client.post(
        f"{OCTOBER}/sign",
        data={"comment": "Reviewed with the MRSO; audits gap followed up.", "csrf_token": token},
    )
    assert signed.status_code == 302
    with app.app_context():
        snapshot = db.session.scalars(select(ReportSnapshot)).one()
        assert (snapshot.version, snapshot.period, snapshot.kind) == (1, "2026-10", "monthly")
        assert snapshot.access_head_seq == 9  # in UTC, 1 Nov 04:30 is November
        assert snapshot.definitions_hash.startswith("sha256:")
        files = {f.format: (f.sha256, f.content) for f in snapshot.files}
        assert set(files) == {"csv", "html", "pdf", "xlsx"}
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "report.sign")
        ).one()
        assert event.target_id == str(snapshot.id)
        snapshot_id = snapshot.id
        snapshot.comment = "changed"
        with pytest.raises(SnapshotFrozenError):
            db.session.commit()
        db.session.rollback()
    for fmt, (digest, content) in files.items():
        download = client.get(f"/reports/signed/{snapshot_id}/{fmt}")
        assert download.status_code == 200
        assert download.data == content
        assert hashlib.sha256(download.data).hexdigest() == digest
        assert download.headers["Content-Disposition"].endswith(f'-2026-10-v1.{fmt}"')
    listing = client.get("/reports/").get_data(as_text=True)
    assert "signed v1" in listing

    def late_incident() -> None:
        incident = db.session.scalars(
            select(Incident).where(Incident.category == "projectile")
        ).one()
        db.session.add(
            Incident(
                occurred_at=incident.occurred_at,
                reported_at=incident.reported_at,
                reported_by_user_id=incident.reported_by_user_id,
                report_delay_minutes=10,
                late_report=False,
                zone="IV",
                category="acoustic",
                severity="no_harm",
                description="found later",
            )
        )

    setup_data(late_incident)
    page = client.get(OCTOBER).get_data(as_text=True)
    again = client.post(
        f"{OCTOBER}/sign",
        data={"comment": "Re-signed after a late entry.", "csrf_token": csrf_token(page)},
    )
    assert again.status_code == 302
    with app.app_context():
        newest = db.session.scalars(
            select(ReportSnapshot).order_by(ReportSnapshot.version.desc())
        ).first()
        assert newest.version == 2 and newest.supersedes_id == snapshot_id
        changed = {(c["metric_id"], c["dimension"]) for c in newest.changes}
        assert ("incidents.count", "") in changed
        first_pdf = db.session.scalars(
            select(ReportFile).where(
                ReportFile.snapshot_id == snapshot_id, ReportFile.format == "pdf"
            )
        ).one()
        assert first_pdf.sha256 == files["pdf"][0]  # version 1 is unchanged
    assert "Sign again as a new version" in client.get(OCTOBER).get_data(as_text=True)


def test_mrso_reads_but_cannot_sign(client, auth, october) -> None:  # type: ignore[no-untyped-def]
    _sign_in(auth, "mrso")
    page = client.get(OCTOBER)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Only the safety director signs reports." in text
    refused = client.post(
        f"{OCTOBER}/sign", data={"comment": "x" * 10, "csrf_token": csrf_token(text)}
    )
    assert refused.status_code == 403


def test_the_running_month_cannot_be_signed(client, auth, october) -> None:  # type: ignore[no-untyped-def]
    from zonekeeper.db import utcnow

    _sign_in(auth, "director")
    label = utcnow().strftime("%Y-%m")
    page = client.get(f"/reports/monthly/{label}").get_data(as_text=True)
    assert "can be signed once" in page
    response = client.post(
        f"/reports/monthly/{label}/sign",
        data={"comment": "too early to sign", "csrf_token": csrf_token(page)},
        follow_redirects=True,
    )
    assert "is not over yet" in response.get_data(as_text=True)


def test_a_site_without_a_configured_name_says_what_to_set(client, auth, october, app) -> None:  # type: ignore[no-untyped-def]
    from zonekeeper.reports import views
    from zonekeeper.reports.build import UNNAMED_SITE

    _sign_in(auth, "director")
    for name, shown in (("  ", UNNAMED_SITE), ("Riverside General · MRI", "Riverside General")):
        app.config["SITE_NAME"] = name
        views._cache.clear()  # computed reports are kept a short while, whatever the name
        assert shown in client.get(OCTOBER).get_data(as_text=True)
    assert "ZONEKEEPER_SITE_NAME" in UNNAMED_SITE
