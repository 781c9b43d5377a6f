"""Today's demo screenings, written through the real screening services, so the desk
list is not empty and a new user sees the three situations that matter most:

- DEMO-0001, a clean history on MRI 1: screened twice, final check done, safe to scan;
- DEMO-0002, a coronary stent labelled MR Conditional at 1.5 T only, booked on the 3 T:
  the form is saved (draft) and the banner says "not cleared on the 3 T, eligible on
  the 1.5 T with these constraints";
- DEMO-0003, a treated metal eye injury with no orbit imaging: screened twice and
  waiting for the radiologist's orbit clearance (sign in as ``director``, the MRMD and
  a Level 2 MR physician, to record it).

Patients and MRNs are fictional (DEMO-nnnn).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from flask import current_app, g
from sqlalchemy import select

from .auth.models import User
from .extensions import db
from .policy import Policy
from .questionnaires import validate_answers
from .questionnaires.store import current_questionnaire
from .screening.models import Screening
from .screening.services import ExamDetails, SubjectDetails, save_answers, start_screening
from .screening.workflow import record_final_check, record_second_screen, submit_first_screen
from .site.models import Scanner

STENT_15_T_ONLY: dict[str, Any] = {
    "category": "stent_coil_filter",
    "description": "Coronary stent",
    "manufacturer": "Acme Vascular",
    "model": "Flow 3",
    "body_location": "Left anterior descending artery",
    "astm_class": "mr_conditional",
    "implant_date": "2019-03-02",
    "complete_system": True,
    "abandoned_components": False,
    "field_strengths": [1.5],
    "max_spatial_gradient": {"value": 3000, "unit": "G/cm"},
    "max_b1rms": 2.0,
    "operating_mode": "normal",
    "active_scan_minutes": 30,
    "labeling_source": "Manufacturer IFU (demo)",
}


@contextmanager
def acting_as(user: User) -> Iterator[None]:
    """The services record who acted (``current_user``): act as ``user`` in a request."""
    with current_app.test_request_context("/screenings/"):
        g._login_user = user
        yield


def _answers(policy_today: date, **changes: str) -> Any:
    """The patient form answered 'no' throughout (every always-shown question)."""
    questionnaire = current_questionnaire("patient")
    answers: dict[str, Any] = {
        q.id: "no"
        for q in questionnaire.questions.values()
        if q.type == "yes_no_unknown" and q.show_if is None
    }
    answers.update(respondent="patient", history_reliable="yes", weight_kg=72, height_cm=170)
    answers.update(changes)
    result = validate_answers(questionnaire, answers, today=policy_today)
    if not result.valid or result.missing:  # the demo must match the form it ships with
        raise RuntimeError(f"demo screening answers do not fit the patient form: {result}")
    return result


def _start(
    mrn: str,
    given: str,
    family: str,
    born: date,
    scanner: Scanner,
    region: str,
    today: date,
    policy: Policy,
) -> Screening:
    return start_screening(
        SubjectDetails("patient", given, family, born, mrn),
        ExamDetails(scanner, region, "body", "outpatient"),
        emergent=False,
        today=today,
        policy=policy,
    )


def add_demo_screenings(today: date, policy: Policy, tech: User, mrso: User) -> int:
    """Three of today's screenings; returns how many."""
    scanners = {s.name: s for s in db.session.scalars(select(Scanner))}
    mri_1, mri_2 = scanners["MRI 1"], scanners["MRI 2"]
    with acting_as(tech):
        cleared = _start(
            "DEMO-0001", "Elena", "Varga", date(1978, 4, 9), mri_1, "spine", today, policy
        )
        save_answers(cleared, _answers(today), [], today, policy)
        submit_first_screen(cleared, today, policy)

        stent = _start(
            "DEMO-0002", "Rosa", "Martins", date(1961, 7, 14), mri_2, "head", today, policy
        )
        save_answers(
            stent, _answers(today, stent_coil_filter="yes"), [STENT_15_T_ONLY], today, policy
        )

        orbit = _start(
            "DEMO-0003", "Victor", "Hale", date(1969, 11, 23), mri_1, "head", today, policy
        )
        eye = {"eye_injury": "yes", "eye_injury_treated": "yes", "eye_injury_imaging": "no"}
        save_answers(orbit, _answers(today, **eye), [], today, policy)
        submit_first_screen(orbit, today, policy)
    with acting_as(mrso):  # a different, current Level 2 person
        record_second_screen(cleared, "Reviewed every answer with the patient.", today, policy)
        checks = {"forms_reviewed": True, "visual_inspection": True, "detector": "used"}
        record_final_check(cleared, checks, today, policy)
        record_second_screen(
            orbit, "Grinding accident 2004, seen in the eye clinic; no scan since.", today, policy
        )
    return 3
