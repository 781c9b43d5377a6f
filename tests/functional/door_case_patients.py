"""The patients of the door cases (tests/data/door_cases.yaml), screened for real.

Each patient a case uses gets a visit screening driven through the screening pages
(tests/functional/screening_helpers.py) to the state the case names: safe to scan on the
scanner in the Zone IV door's room (``cleared``), on the scanner in another room
(``not_cleared``: safe there, not here), answered but not reviewed (``pending``), or a
no-screen exception signed by a Level 2 MR physician and then final-checked
(``no_screen_exception``). The final check is recorded by the cases' Level 2 person (Lee
Tech) and gives the patient a Level 2 authorization for Zone IV (the ACR final
authorization); a patient whose spec names no ``authorized`` has it revoked.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from tests import factories
from tests.functional.screening_helpers import (
    complete_answers,
    save,
    signed_in_clients,
    start,
    step,
)
from zonekeeper.auth.models import User
from zonekeeper.db import utcnow
from zonekeeper.doors.authorizations import revoke_authorization
from zonekeeper.doors.models import ZoneAuthorization
from zonekeeper.extensions import db
from zonekeeper.people.models import Designation
from zonekeeper.screening.models import Screening

FINAL = {"forms_reviewed": "y", "visual_inspection": "y", "detector": "used"}
REASON = "Suspected cord compression, patient unresponsive: cannot wait"


def patients_of(case: dict[str, Any]) -> list[str]:
    keys = [case.get("who") or "", *case.get("waiting", [])]
    return [key for key in dict.fromkeys(keys) if key.startswith("patient_")]


def screen_patients(
    app: Flask, case: dict[str, Any], people: dict[str, dict[str, Any]], level_2: dict[str, Any]
) -> dict[str, int]:
    """Screen the case's patients; their person ids, and ``level_2`` (Lee Tech, made here
    with ``level_2``'s factory arguments: their account records the final checks)."""
    keys = patients_of(case)
    with app.app_context():
        scanners = factories.screening_site()
        lee = factories.person(**level_2)
        factories.user("lee", "technologist", person_id=lee.id)
        factories.screener("tech1")
        doctor = db.session.get_one(User, factories.screener("drcho", "physician"))
        db.session.add(
            Designation(
                person_id=doctor.person_id,
                role="level_2_physician",
                granted_on=utcnow().date() - timedelta(30),
            )
        )
        db.session.commit()
        made = {"level_2": lee.id}
    as_user = signed_in_clients(app)

    for number, key in enumerate(keys):
        spec = people[key]
        given, family = spec["name"].split(" ", 1)
        status = spec.get("screening", "cleared")
        scanner = scanners["MRI 2" if status == "not_cleared" else "MRI 1"]
        subject = {"given_name": given, "family_name": family, "mrn": f"MRN-{3000 + number}"}
        tech1 = as_user("tech1")
        if status == "no_screen_exception":
            sid = start(tech1, scanner, emergent="y", **subject)
            data = {"ordering_physician": "Dr Ortiz", "reason": REASON, "acknowledged": "y"}
            step(as_user("drcho"), sid, "exception", **data)
            step(as_user("lee"), sid, "final-check", **FINAL)
        else:
            sid = start(tech1, scanner, **subject)
            assert save(tech1, sid, complete_answers()).status_code == 302
            if status != "pending":
                step(tech1, sid, "first-screen")
                step(as_user("lee"), sid, "second-screen", reviewed="y", note="Reviewed")
                step(as_user("lee"), sid, "final-check", **FINAL)
        with app.app_context():
            screening = db.session.get_one(Screening, sid)
            wanted = {
                "cleared": "safe_to_scan",
                "not_cleared": "safe_to_scan",
                "pending": "draft",
                "no_screen_exception": "final_check_done",
            }[status]
            assert screening.state == wanted, (key, screening.state)
            made[key] = screening.person_id
            if "authorized" not in spec:
                for record in db.session.scalars(
                    select(ZoneAuthorization).where(ZoneAuthorization.person_id == made[key])
                ):
                    revoke_authorization(record, None)
            db.session.commit()
    return made


def scanner_room() -> int:
    """The room of the scanner the patients are screened for (the Zone IV door's room)."""
    from zonekeeper.site.models import Scanner

    return db.session.scalars(select(Scanner.room_id).where(Scanner.name == "MRI 1")).one()
