"""A patient at the Zone IV door: a wristband printed from the screening, denied until the
screening is safe to scan, then admitted with a Level 2 escort."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.conftest import AuthActions, csrf_token
from tests.functional.screening_helpers import complete_answers, save, start, step
from zonekeeper.doors.devices import add_device
from zonekeeper.extensions import db
from zonekeeper.screening.models import Screening


def _signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert AuthActions(client).sign_in(username, factories.PASSWORD).status_code == 302
    return client


def test_patient_needs_a_safe_to_scan_screening_and_a_level_2_escort(
    app: Flask, setup_data
) -> None:  # type: ignore[no-untyped-def]
    def build() -> dict[str, object]:
        scanners = factories.screening_site()
        doors = factories.door_site()
        from zonekeeper.site.models import Door, Scanner

        # the Zone IV doors open into the scanners' own magnet rooms
        db.session.get(Door, doors["mri-1"]).room_id = db.session.get(
            Scanner, scanners["MRI 1"]
        ).room_id
        db.session.add(
            Door(
                code="mri-2",
                name="MRI 2 door",
                from_zone="III",
                to_zone="IV",
                room_id=db.session.get(Scanner, scanners["MRI 2"]).room_id,
            )
        )
        db.session.flush()
        factories.screener("tech1")
        escort_id = factories.screener("tech2")
        from zonekeeper.auth.models import User

        escort = db.session.get(User, escort_id).person
        factories.user("kiosk-mri-1", "kiosk").door_id = doors["mri-1"]
        db.session.flush()
        return {
            "scanners": scanners,
            "device": add_device("mri-1", "reader"),
            "device_3t": add_device("mri-2", "reader 3 T"),
            "escort_badge": factories.badge(escort),
        }

    site = setup_data(build)
    tech1, tech2 = _signed_in(app, "tech1"), _signed_in(app, "tech2")
    sid = start(tech1, site["scanners"]["MRI 1"], mrn="MRN-2001")
    assert save(tech1, sid, complete_answers()).status_code == 302
    with app.app_context():
        patient_id = db.session.get(Screening, sid).person_id

    page = tech1.get(f"/screenings/{sid}").get_data(as_text=True)
    assert f'action="/people/{patient_id}/wristband"' in page  # the screening page offers it
    printed = tech1.post(f"/people/{patient_id}/wristband", data={"csrf_token": csrf_token(page)})
    assert printed.status_code == 302
    sheet = tech1.get(printed.headers["Location"]).get_data(as_text=True)
    code = re.search(r'class="badge-code">([A-Z0-9]+)<', sheet).group(1)
    assert "LEE, Ann" in sheet and "only" in sheet
    assert "DOB 02 Jan 1970 · MRN MRN-2001" in sheet  # as hospital wristbands carry them
    again = tech1.post(f"/people/{patient_id}/wristband", data={"csrf_token": csrf_token(page)})
    assert again.headers["Location"] == printed.headers["Location"]  # one band per day

    # the kiosk's tap list shows her by initials and year of birth, never by name
    kiosk = _signed_in(app, "kiosk-mri-1").get("/kiosk").get_data(as_text=True)
    assert f'data-code="{code}">A. L. · born 1970 <span>patient</span>' in kiosk
    assert "Ann" not in kiosk and "Lee" not in kiosk and "1970-01-02" not in kiosk

    reader = app.test_client()

    def scan(text: str, door: str = "mri-1", device: str = "device") -> dict:  # type: ignore[type-arg]
        return reader.post(
            f"/api/v1/doors/{door}/scans",
            json={"text": text},
            headers={"Authorization": f"Bearer {site[device]}"},
        ).get_json()

    early = scan(code)  # screened once, not yet reviewed by a second Level 2
    assert early["outcome"] == "deny" and "screening_not_cleared" in early["reason_codes"]

    step(tech1, sid, "first-screen")
    step(tech2, sid, "second-screen", reviewed="y", note="Reviewed with the patient")
    step(tech2, sid, "final-check", forms_reviewed="y", visual_inspection="y", detector="used")
    with app.app_context():
        assert db.session.get(Screening, sid).state == "safe_to_scan"

    # safe to scan on the 1.5 T (MRI 1) is not safe in the 3 T room
    wrong_room = scan(code, "mri-2", "device_3t")
    assert wrong_room["outcome"] == "deny"
    assert "screening_not_cleared" in wrong_room["reason_codes"]

    waiting = scan(code)
    assert waiting["outcome"] == "escort_pending" and waiting["person"] == "Ann Lee"
    escorted = scan(site["escort_badge"])
    assert escorted["outcome"] == "grant" and escorted["escorting"] == ["Ann Lee"]


def test_staff_cannot_get_a_wristband(app: Flask, setup_data) -> None:  # type: ignore[no-untyped-def]
    staff_id = setup_data(lambda: (factories.screener("tech1"), factories.person())[1].id)
    tech = _signed_in(app, "tech1")
    token = csrf_token(tech.get("/screenings/").get_data(as_text=True))
    assert tech.post(f"/people/{staff_id}/wristband", data={"csrf_token": token}).status_code == 404
