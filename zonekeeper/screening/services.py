"""Screenings for a visit: subjects, answers, the exam, evaluations, door status.

Every write joins the caller's transaction with its ``record_event`` row; the
view commits. Audit summaries name screenings by id, never by MRN or name.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_login import current_user
from sqlalchemy import select

from ..audit.services import record_event
from ..db import utcnow
from ..extensions import db
from ..people.models import Person
from ..policy import Policy
from ..policy.screening.exam import ExamSpec
from ..questionnaires import AnswerResult, validate_answers
from ..questionnaires.store import current_questionnaire
from ..site.models import Scanner

# read-side helpers live in status.py; re-exported where callers have always found them
from .errors import (
    BirthDateError as BirthDateError,
)
from .errors import (
    ScreeningError as ScreeningError,
)
from .errors import (
    check_birth_date as check_birth_date,
)
from .evaluation import (
    GRADIENT_CLEARANCE,
    decide,
    gradient_assessments,
    implant_as_si,
    read_implants,
)
from .models import (
    SUBJECT_FORMS,
    Screening,
    ScreeningEvaluation,
    ScreeningSignoff,
    ScreeningSubject,
)
from .status import (
    current_constraints as current_constraints,
)
from .status import (
    door_screening_status as door_screening_status,
)
from .status import (
    exception_problems as exception_problems,
)
from .status import (
    latest_versions_query as latest_versions_query,
)
from .status import (
    todays_screenings as todays_screenings,
)
from .status import (
    unconfirmed_constraints as unconfirmed_constraints,
)
from .status import (
    valid_confirmations as valid_confirmations,
)


@dataclass(frozen=True)
class SubjectDetails:
    kind: str  # patient | non_mr_personnel | companion
    given_name: str
    family_name: str
    date_of_birth: date
    mrn: str | None = None


@dataclass(frozen=True)
class ExamDetails:
    scanner: Scanner
    body_region: str
    transmit_coil: str
    setting: str
    contrast_agent: str | None = None
    operating_mode: str = "normal"  # normal | first_level (IEC 60601-2-33)


def find_or_create_subject(details: SubjectDetails) -> ScreeningSubject:
    """A patient is found by MRN; anyone else by name and date of birth.

    An MRN on file with another name or date of birth is refused: the wrong
    patient's record must never be screened by accident.
    """
    given, family = details.given_name.strip(), details.family_name.strip()
    if details.kind == "patient":
        mrn = (details.mrn or "").strip()
        if not mrn:
            raise ScreeningError("A patient needs the MRN from the order.")
        subject = db.session.scalars(
            select(ScreeningSubject).where(ScreeningSubject.mrn == mrn)
        ).first()
        if subject is not None:
            same = (
                subject.person.given_name.lower() == given.lower()
                and subject.person.family_name.lower() == family.lower()
                and subject.date_of_birth == details.date_of_birth
            )
            if not same:
                raise ScreeningError(
                    "This MRN belongs to a patient with another name or date of birth. "
                    "Check the order and the patient's wristband."
                )
            return subject
    else:
        subject = db.session.scalars(
            select(ScreeningSubject)
            .join(Person, Person.id == ScreeningSubject.person_id)
            .where(
                ScreeningSubject.mrn.is_(None),
                ScreeningSubject.date_of_birth == details.date_of_birth,
                db.func.lower(Person.given_name) == given.lower(),
                db.func.lower(Person.family_name) == family.lower(),
            )
        ).first()
        if subject is not None:
            return subject
    kind = "patient" if details.kind == "patient" else "visitor"
    person = Person(kind=kind, given_name=given, family_name=family)
    db.session.add(person)
    db.session.flush()
    mrn = (details.mrn or "").strip() if details.kind == "patient" else ""
    subject = ScreeningSubject(
        person=person,
        mrn=mrn or None,
        date_of_birth=details.date_of_birth,
    )
    db.session.add(subject)
    db.session.flush()
    return subject


def start_screening(
    subject: SubjectDetails, exam: ExamDetails, *, emergent: bool, today: date, policy: Policy
) -> Screening:
    """A new, empty form for this visit: never pre-filled from an earlier screening."""
    from .authorization import authorize_step

    authorize_step("answers", current_user, today, policy)
    check_birth_date(subject.date_of_birth, today)
    found = find_or_create_subject(subject)
    questionnaire = current_questionnaire(SUBJECT_FORMS[subject.kind])
    screening = Screening(
        lineage=uuid.uuid4().hex,
        subject=found,
        person_id=found.person_id,
        subject_kind=subject.kind,
        visit_date=today,
        emergent=emergent,
        form_id=questionnaire.id,
        form_version=questionnaire.version,
        definition_hash=questionnaire.definition_hash,
        answers={},
        implants=[],
        created_by_user_id=current_user.id,
        final_check={},
    )
    _set_exam(screening, exam)
    db.session.add(screening)
    db.session.flush()
    record_event(
        "screening.start",
        f"Started screening #{screening.id} ({subject.kind}"
        f"{', emergent' if emergent else ''}) for {exam.scanner.name}",
        target=screening,
        person_id=found.person_id,
    )
    evaluate(screening, "start", today, policy)
    return screening


def _set_exam(screening: Screening, exam: ExamDetails) -> None:
    screening.scanner = exam.scanner
    screening.scanner_id = exam.scanner.id
    screening.body_region = exam.body_region
    screening.transmit_coil = exam.transmit_coil
    screening.setting = exam.setting
    screening.contrast_agent = (exam.contrast_agent or "").strip() or None
    screening.operating_mode = exam.operating_mode


def check_answers(screening: Screening, today: date) -> AnswerResult:
    """The stored answers against the stored questionnaire version."""
    questionnaire = current_questionnaire(screening.form_id, screening.form_version)
    return validate_answers(questionnaire, screening.answers or {}, today=today)


def answers_fingerprint(answers: Any, implants: Any) -> str:
    """sha256 of the canonical JSON of the answers and implants: what a sign-off was given on."""
    canonical = json.dumps(
        {"answers": answers or {}, "implants": implants or []},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
        default=str,
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def screening_fingerprint(screening: Screening) -> str:
    return answers_fingerprint(screening.answers, screening.implants)


def signoff_applies(signoff: ScreeningSignoff, screening: Screening) -> bool:
    """A sign-off lifts its finding on ``screening`` only if it is not voided, belongs to the
    same lineage and was given on exactly the answers and implants the screening has now."""
    return (
        signoff.voided_at is None
        and signoff.lineage == screening.lineage
        and bool(signoff.fingerprint)
        and signoff.fingerprint == screening_fingerprint(screening)
    )


def signoff_facts(screening: Screening) -> dict[str, bool]:
    """The ``clearance.*`` facts: true for each sign-off of this screening's lineage that is
    not voided *and* was given on the answers and implants the screening has now; a
    clearance without one stays unknown (never good news), so a changed answer or a new
    implant brings the finding back until the physician records the sign-off again."""
    if not screening.lineage:
        return {}
    return {
        signoff.clearance: True
        for signoff in db.session.scalars(
            select(ScreeningSignoff).where(
                ScreeningSignoff.lineage == screening.lineage,
                ScreeningSignoff.voided_at.is_(None),
                ScreeningSignoff.fingerprint == screening_fingerprint(screening),
            )
        )
        # a signed-off spatial gradient is a value, not a fact: evaluate() passes it apart
        if signoff_applies(signoff, screening)
        and signoff.details is None
        and signoff.clearance != GRADIENT_CLEARANCE
    }


def evaluate(
    screening: Screening, trigger: str, today: date, policy: Policy
) -> ScreeningEvaluation:
    """Run the engine on the screening as it stands (answers, implants, exam and the
    physicians' valid sign-offs) and keep the decision."""
    from .workup import workup_facts  # workup.py builds on this module

    facts = {
        **check_answers(screening, today).facts,
        **signoff_facts(screening),
        **workup_facts(screening),  # the unreliable-history work-up steps recorded
    }
    implants, _problems = read_implants(screening.implants, today)
    exam = ExamSpec(
        screening.scanner.name,
        screening.body_region,
        screening.transmit_coil,
        screening.setting,  # type: ignore[arg-type]
        screening.contrast_agent,
        screening.operating_mode,  # type: ignore[arg-type]
    )
    assessments = gradient_assessments(screening.lineage, screening_fingerprint(screening))
    decision = decide(policy, facts, implants or (), exam, today, assessments)
    if implants is None:  # stored implants no longer read (should not happen): fail closed
        data = decision.to_dict()
        data["disposition"] = "not_cleared"
        data["reasons"].append(
            {
                "code": "invalid_implants",
                "rule_id": "engine.input",
                "text": "The stored implant list could not be read.",
                "source": "",
                "disposition": "not_cleared",
                "implant": None,
            }
        )
    else:
        data = decision.to_dict()
    evaluation = ScreeningEvaluation(
        screening=screening,
        evaluated_by_user_id=current_user.id
        if current_user and current_user.is_authenticated
        else None,
        trigger=trigger,
        exam_key=screening.exam_key,
        disposition=data["disposition"],
        contrast_disposition=data["contrast"]["disposition"],
        decision=data,
        policy_version=decision.policy_version,
    )
    db.session.add(evaluation)
    db.session.flush()
    return evaluation


def save_answers(
    screening: Screening,
    result: AnswerResult,
    implants: list[dict[str, Any]],
    today: date,
    policy: Policy,
) -> ScreeningEvaluation:
    """Store valid answers and implants (SI units) and re-evaluate."""
    from .authorization import authorize_step

    if screening.answers_locked:
        raise ScreeningError("The answers are locked after the Level 2 review; amend instead.")
    authorize_step("answers", current_user, today, policy)
    if not result.valid:
        raise ScreeningError("Some answers were not accepted; nothing was saved.")
    declarations, problems = read_implants(implants, today)
    if declarations is None or problems:
        raise ScreeningError("An implant has a problem; nothing was saved.")
    answers = {k: v for k, v in result.answers.items() if k != "implants"}
    stored = [implant_as_si(d) for d in declarations]
    changed = sorted(
        k
        for k in set(answers) | set(screening.answers or {})
        if answers.get(k) != (screening.answers or {}).get(k)
    )
    screening.answers, screening.implants = answers, stored
    screening.answers_updated_at, screening.answers_updated_by_user_id = utcnow(), current_user.id
    record_event(
        "screening.answers",
        f"Saved answers of screening #{screening.id}: {len(changed)} changed, "
        f"{len(stored)} implant(s), {len(result.missing)} unanswered",
        target=screening,
        person_id=screening.person_id,
        after={"changed": changed[:40]},
    )
    return evaluate(screening, "answers", today, policy)


def change_exam(screening: Screening, exam: ExamDetails, today: date, policy: Policy) -> bool:
    """Move or change the exam; a new scanner, coil or region voids the confirmations.

    Returns whether confirmations were voided.
    """
    from .authorization import authorize_step

    if screening.exam_locked:
        raise ScreeningError(
            "The final check is done: the exam can no longer change; amend instead."
        )
    authorize_step("exam", current_user, today, policy)
    before = {
        "scanner": screening.scanner.name,
        "coil": screening.transmit_coil,
        "region": screening.body_region,
        "setting": screening.setting,
        "contrast_agent": screening.contrast_agent,
        "operating_mode": screening.operating_mode,
    }
    old_key = screening.exam_key
    _set_exam(screening, exam)
    after = {
        "scanner": exam.scanner.name,
        "coil": screening.transmit_coil,
        "region": screening.body_region,
        "setting": screening.setting,
        "contrast_agent": screening.contrast_agent,
        "operating_mode": screening.operating_mode,
    }
    if before == after:
        return False
    voided = 0
    if screening.exam_key != old_key:
        for confirmation in screening.confirmations:
            if confirmation.voided_at is None:
                confirmation.voided_at = utcnow()
                confirmation.void_reason = (
                    "The scanner, coil, body region or operating mode changed."
                )
                voided += 1
    record_event(
        "screening.exam",
        f"Changed the exam of screening #{screening.id}"
        + (f"; {voided} confirmation(s) cleared" if voided else ""),
        target=screening,
        person_id=screening.person_id,
        before=before,
        after=after,
    )
    evaluate(screening, "exam", today, policy)
    return voided > 0
