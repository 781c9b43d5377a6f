"""The workflow's small forms; the questionnaire itself is built from forms/*.yaml."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..choices import options
from ..policy.screening.exam import BODY_REGIONS, SETTINGS, TRANSMIT_COILS
from ..policy.screening.implants import MODE_LABELS

SUBJECT_LABELS = (
    ("patient", "Patient"),
    ("companion", "Companion of a patient"),
    ("non_mr_personnel", "Non-MR staff or visitor"),
)


def _label(value: str) -> str:
    return value.replace("_", " ").capitalize()


def _optional_int(value: object) -> int | None:
    """A select's value as an id; the empty "Choose…" option is None (then DataRequired says so)."""
    if value in (None, ""):
        return None
    return int(value)  # type: ignore[call-overload]


CHOOSE = ("", "Choose…")


def _chosen(what: str) -> list[DataRequired]:
    return [DataRequired(f"Choose the {what}: nothing is preset, so it matches the order.")]


class ExamFields(FlaskForm):
    """No clinical default: the scanner, region, coil and setting are chosen at the desk
    (the inpatient setting alone changes the eGFR window), never preset."""

    scanner_id = SelectField("Scanner", coerce=_optional_int, validators=_chosen("scanner"))
    body_region = SelectField(
        "Body region",
        choices=options([CHOOSE, *((r, _label(r)) for r in BODY_REGIONS)]),
        validators=_chosen("body region"),
    )
    transmit_coil = SelectField(
        "Transmit coil",
        choices=options([CHOOSE, *((c, _label(c)) for c in TRANSMIT_COILS)]),
        validators=_chosen("transmit coil"),
    )
    setting = SelectField(
        "Setting",
        choices=options([CHOOSE, *((s, _label(s)) for s in SETTINGS)]),
        validators=_chosen("setting (inpatient or outpatient)"),
    )
    operating_mode = SelectField(
        "Planned operating mode",
        choices=options(MODE_LABELS.items()),
        default="normal",
        validators=[DataRequired()],
    )
    contrast_agent = StringField(
        "Contrast agent (leave empty if none)", validators=[Optional(), Length(max=120)]
    )

    def validate_contrast_agent(self, field: StringField) -> None:
        """Any spelling (brand, generic, short form) -> the catalogue's generic name, which
        is what the screening stores; an unknown name is refused with a "did you mean"."""
        from ..policy.screening.agents import unknown_agent_text
        from ..policy_store import current_policy

        typed = " ".join((field.data or "").split())
        contrast = current_policy().contrast
        if not typed or contrast is None:
            return
        agent = contrast.resolve(typed)
        if agent is None:
            raise ValidationError(unknown_agent_text(contrast.agents, typed))
        field.data = agent.generic


class NewScreeningForm(ExamFields):
    subject_kind = RadioField("Who is screened", choices=options(SUBJECT_LABELS), default="patient")
    mrn = StringField("MRN (patients)", validators=[Optional(), Length(max=40)])
    given_name = StringField("Given name", validators=[DataRequired(), Length(max=120)])
    family_name = StringField("Family name", validators=[DataRequired(), Length(max=120)])
    date_of_birth = DateField("Date of birth", validators=[DataRequired()])
    emergent = BooleanField("Emergent (delay would harm the patient)")


class SecondScreenForm(FlaskForm):
    note = TextAreaField("What was clarified with the patient", validators=[Length(max=2000)])
    reviewed = BooleanField(
        "I went through every answer with the patient (or the proxy)",
        validators=[DataRequired("Confirm that you reviewed every answer.")],
    )


class FinalCheckForm(FlaskForm):
    forms_reviewed = BooleanField("Screening form reviewed aloud with the patient just now")
    visual_inspection = BooleanField("Patient changed and visually inspected: nothing metallic")
    detector = RadioField(
        "Ferromagnetic detector",
        choices=options(
            (("used", "Used: no alarm"), ("not_available", "Not available at this door"))
        ),
        validators=[DataRequired("Say whether the ferromagnetic detector was used.")],
    )


class ExceptionForm(FlaskForm):
    """Signed by the covering Level 2 MR physician, signed in with their own account; the
    ordering physician is named (they may be outside the department)."""

    ordering_physician = StringField(
        "Ordering physician (name)", validators=[DataRequired(), Length(max=200)]
    )
    reason = TextAreaField(
        "Why screening cannot wait (risk of death, paralysis or blindness)",
        validators=[DataRequired(), Length(min=10, max=2000)],
    )
    acknowledged = BooleanField(
        "I, the covering Level 2 MR physician, and the ordering physician acknowledge the "
        "risk of scanning without screening",
        validators=[DataRequired("Both physicians must acknowledge the risk.")],
    )


class AmendForm(FlaskForm):
    reason = TextAreaField(
        "Reason for the amendment", validators=[DataRequired(), Length(min=5, max=2000)]
    )


class SignoffForm(FlaskForm):
    """A physician's sign-off; which clearance is a hidden field set by the page."""

    clearance = HiddenField(validators=[DataRequired()])
    basis = TextAreaField(
        "Basis of the decision (what was read or reviewed)",
        validators=[DataRequired("State the basis of the decision."), Length(min=10, max=2000)],
    )
    co_signer = StringField("Referring physician", validators=[Optional(), Length(max=200)])


class VoidSignoffForm(FlaskForm):
    reason = StringField("Reason for voiding", validators=[DataRequired(), Length(min=5, max=500)])
