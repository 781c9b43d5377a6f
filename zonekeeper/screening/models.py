"""A screening per visit, its evaluations and its constraint confirmations.

Signed screenings are never edited: an amendment is a new version (same
``lineage``) that points at the one it supersedes and says why. The MRN lives
only on :class:`ScreeningSubject`; audit summaries name screenings by id.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import utcnow
from ..extensions import db
from ..people.models import Person
from ..site.models import Scanner

SUBJECT_KINDS = ("patient", "non_mr_personnel", "companion")
SUBJECT_FORMS = {
    "patient": "patient",
    "non_mr_personnel": "non_mr_personnel",
    "companion": "non_mr_personnel",
}
# draft -> first_screen_done -> second_screen_done -> safe_to_scan (final check recorded);
# a no-screen exception goes straight to the final check and ends in final_check_done.
STATES = (
    "draft",
    "first_screen_done",
    "second_screen_done",
    "no_screen_exception",
    "final_check_done",
    "safe_to_scan",
)
STATE_LABELS = {
    "draft": "Form being filled in",
    "first_screen_done": "Waiting for the Level 2 review",
    "second_screen_done": "Reviewed by Level 2",
    "no_screen_exception": "Not screened: physicians' exception",
    "final_check_done": "Final check done under the no-screen exception",
    "safe_to_scan": "Safe to scan",
}


class ScreeningSubject(db.Model):  # type: ignore[name-defined]
    """Who is screened: a people record plus the identifiers a desk checks (PHI)."""

    __tablename__ = "screening_subjects"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", name="fk_screening_subjects_person"), unique=True
    )
    mrn: Mapped[str | None] = mapped_column(String(40), unique=True)  # patients only
    date_of_birth: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship()


class Screening(db.Model):  # type: ignore[name-defined]
    __tablename__ = "screenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    lineage: Mapped[str] = mapped_column(String(32), index=True)  # shared by every version
    version: Mapped[int] = mapped_column(default=1)
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("screenings.id", name="fk_screenings_supersedes")
    )
    amendment_reason: Mapped[str] = mapped_column(Text, default="")
    superseded: Mapped[bool] = mapped_column(default=False)
    subject_id: Mapped[int] = mapped_column(
        ForeignKey("screening_subjects.id", name="fk_screenings_subject"), index=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", name="fk_screenings_person"), index=True
    )
    subject_kind: Mapped[str] = mapped_column(String(20))
    visit_date: Mapped[date] = mapped_column(index=True)
    emergent: Mapped[bool] = mapped_column(default=False)
    form_id: Mapped[str] = mapped_column(String(60))
    form_version: Mapped[int]
    definition_hash: Mapped[str] = mapped_column(String(80))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    implants: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # SI units
    # the exam
    scanner_id: Mapped[int] = mapped_column(ForeignKey("scanners.id", name="fk_screenings_scanner"))
    body_region: Mapped[str] = mapped_column(String(40))
    transmit_coil: Mapped[str] = mapped_column(String(40))
    setting: Mapped[str] = mapped_column(String(20))
    contrast_agent: Mapped[str | None] = mapped_column(String(120))
    # the planned operating mode (IEC 60601-2-33): normal | first_level
    operating_mode: Mapped[str] = mapped_column(
        String(20), default="normal", server_default="normal"
    )
    state: Mapped[str] = mapped_column(String(24), default="draft")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", name="fk_screenings_created_by")
    )
    answers_updated_at: Mapped[datetime | None]
    answers_updated_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_screenings_answers_by")
    )
    first_screen_at: Mapped[datetime | None]
    first_screen_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_screenings_first_by")
    )
    second_screen_at: Mapped[datetime | None]
    second_screen_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_screenings_second_by")
    )
    second_screen_note: Mapped[str] = mapped_column(Text, default="")
    single_screen_emergent: Mapped[bool] = mapped_column(default=False)
    exception_ordering_physician: Mapped[str] = mapped_column(String(200), default="")
    exception_mr_physician: Mapped[str] = mapped_column(String(200), default="")
    exception_reason: Mapped[str] = mapped_column(Text, default="")
    # the covering Level 2 MR physician who co-signed the exception: an account
    exception_mr_physician_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_screenings_exception_mr_physician")
    )
    exception_at: Mapped[datetime | None]
    exception_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_screenings_exception_by")
    )
    final_check_at: Mapped[datetime | None]
    final_check_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_screenings_final_by")
    )
    final_check: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    subject: Mapped[ScreeningSubject] = relationship()
    person: Mapped[Person] = relationship()
    scanner: Mapped[Scanner] = relationship()
    created_by = relationship("User", foreign_keys=[created_by_user_id])
    first_screen_by = relationship("User", foreign_keys=[first_screen_by_user_id])
    second_screen_by = relationship("User", foreign_keys=[second_screen_by_user_id])
    exception_by = relationship("User", foreign_keys=[exception_by_user_id])
    exception_mr_physician_user = relationship(
        "User", foreign_keys=[exception_mr_physician_user_id]
    )
    final_check_by = relationship("User", foreign_keys=[final_check_by_user_id])
    answers_updated_by = relationship("User", foreign_keys=[answers_updated_by_user_id])
    evaluations: Mapped[list[ScreeningEvaluation]] = relationship(
        back_populates="screening", order_by="ScreeningEvaluation.id"
    )
    confirmations: Mapped[list[ConstraintConfirmation]] = relationship(
        back_populates="screening", order_by="ConstraintConfirmation.id"
    )

    __table_args__ = (
        UniqueConstraint("lineage", "version", name="uq_screenings_version"),
        CheckConstraint(
            "subject_kind IN ('patient', 'non_mr_personnel', 'companion')",
            name="ck_screenings_subject_kind",
        ),
    )

    @property
    def latest_evaluation(self) -> ScreeningEvaluation | None:
        return self.evaluations[-1] if self.evaluations else None

    @property
    def answers_locked(self) -> bool:
        """Answers change only before the Level 2 review (which may correct them)."""
        return self.superseded or self.state not in ("draft", "first_screen_done")

    @property
    def exam_locked(self) -> bool:
        return self.superseded or self.state in ("final_check_done", "safe_to_scan")

    @property
    def signed(self) -> bool:
        return self.state in ("final_check_done", "safe_to_scan")

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def exam_key(self) -> str:
        """What a confirmation is valid for: the scanner, the coil, the body region and the
        operating mode (confirmations given before the mode was part of it no longer match:
        they are asked again, which fails closed)."""
        return f"{self.scanner_id}|{self.transmit_coil}|{self.body_region}|{self.operating_mode}"


class ScreeningEvaluation(db.Model):  # type: ignore[name-defined]
    """One run of the engine, kept with the decision and the policy version it used."""

    __tablename__ = "screening_evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    screening_id: Mapped[int] = mapped_column(
        ForeignKey("screenings.id", name="fk_screening_evaluations_screening"), index=True
    )
    evaluated_at: Mapped[datetime] = mapped_column(default=utcnow)
    evaluated_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_screening_evaluations_by")
    )
    trigger: Mapped[str] = mapped_column(String(40))  # answers, exam, amendment, ...
    exam_key: Mapped[str] = mapped_column(String(200))
    disposition: Mapped[str] = mapped_column(String(24))
    contrast_disposition: Mapped[str] = mapped_column(String(24))
    decision: Mapped[dict[str, Any]] = mapped_column(JSON)
    policy_version: Mapped[str] = mapped_column(String(80))

    screening: Mapped[Screening] = relationship(back_populates="evaluations")
    evaluated_by = relationship("User")


class ConstraintConfirmation(db.Model):  # type: ignore[name-defined]
    """A Level 2 tick of one constraint for one scanner, coil and body region.

    Changing the exam voids it (kept, with the reason), never deletes it.
    """

    __tablename__ = "screening_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    screening_id: Mapped[int] = mapped_column(
        ForeignKey("screenings.id", name="fk_screening_confirmations_screening"), index=True
    )
    constraint_id: Mapped[str] = mapped_column(String(200))
    constraint_text: Mapped[str] = mapped_column(String(500))
    exam_key: Mapped[str] = mapped_column(String(200))
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_by_user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", name="fk_screening_confirmations_by")
    )
    voided_at: Mapped[datetime | None]
    void_reason: Mapped[str] = mapped_column(String(300), default="")

    screening: Mapped[Screening] = relationship(back_populates="confirmations")
    confirmed_by = relationship("User")


class ScreeningSignoff(db.Model):  # type: ignore[name-defined]
    """A physician's sign-off that sets one ``clearance.*`` fact (an orbit clearance, an
    MRMD risk/benefit decision...).

    Append-only: a wrong sign-off is voided with a reason (kept), never edited or
    deleted. It is bound to what it was given on: ``fingerprint`` is the sha256 of the
    screening's answers and implants at signing (:func:`..services.answers_fingerprint`),
    and the sign-off counts, on this version or a later one of the same ``lineage``,
    only while the answers and implants are still exactly those. A changed answer, a
    new implant or an amendment that corrects either brings the finding back until the
    physician records it again.
    """

    __tablename__ = "screening_signoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    screening_id: Mapped[int] = mapped_column(
        ForeignKey("screenings.id", name="fk_screening_signoffs_screening"), index=True
    )
    lineage: Mapped[str] = mapped_column(String(32), index=True)
    clearance: Mapped[str] = mapped_column(String(60))  # a clearance.* fact
    basis: Mapped[str] = mapped_column(Text)
    co_signer: Mapped[str] = mapped_column(String(200), default="")  # e.g. the referrer
    designation: Mapped[str] = mapped_column(String(40))  # what the signer signed as
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    signed_by_user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", name="fk_screening_signoffs_by")
    )
    signed_by_person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", name="fk_screening_signoffs_person")
    )
    voided_at: Mapped[datetime | None]
    voided_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_screening_signoffs_voided_by")
    )
    void_reason: Mapped[str] = mapped_column(String(500), default="")
    # sha256 of the answers and implants it was given on ("" never matches: fails closed)
    fingerprint: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # structured data of the sign-off, e.g. the spatial gradient at the implant's position
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    screening: Mapped[Screening] = relationship()
    signed_by = relationship("User", foreign_keys=[signed_by_user_id])
    signed_by_person: Mapped[Person] = relationship()
    voided_by = relationship("User", foreign_keys=[voided_by_user_id])

    __table_args__ = (
        CheckConstraint("clearance LIKE 'clearance.%'", name="ck_screening_signoffs_clearance"),
    )

    @property
    def valid(self) -> bool:
        return self.voided_at is None


class ScreeningWorkupStep(db.Model):  # type: ignore[name-defined]
    """One step of the unreliable-history work-up (scar examination, radiographs...),
    recorded by who did it. Append-only and bound to the answers and implants it was
    recorded on, like a sign-off: a wrong one is voided with a reason."""

    __tablename__ = "screening_workup_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    screening_id: Mapped[int] = mapped_column(
        ForeignKey("screenings.id", name="fk_screening_workup_steps_screening"), index=True
    )
    lineage: Mapped[str] = mapped_column(String(32), index=True)
    step: Mapped[str] = mapped_column(String(60))
    finding: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", name="fk_screening_workup_steps_by")
    )
    fingerprint: Mapped[str] = mapped_column(String(64), default="", server_default="")
    voided_at: Mapped[datetime | None]
    voided_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_screening_workup_steps_voided_by")
    )
    void_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")

    screening: Mapped[Screening] = relationship()
    recorded_by = relationship("User", foreign_keys=[recorded_by_user_id])
    voided_by = relationship("User", foreign_keys=[voided_by_user_id])
