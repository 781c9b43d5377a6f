from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..choices import options
from ..clock import site_today

KIND_CHOICES = [
    ("staff", "Staff"),
    ("visitor", "Visitor / companion"),
    ("contractor", "Contractor"),
    ("responder", "Emergency responder"),
]


def not_in_future(form: FlaskForm, field: DateField) -> None:
    if field.data and field.data > site_today():
        raise ValidationError("This date is in the future.")


def not_ancient(form: FlaskForm, field: DateField) -> None:
    if field.data and field.data.year < 1990:
        raise ValidationError("This date is too far in the past; check the year.")
    if field.data and field.data.year > 2100:
        raise ValidationError("Check the year.")


class PersonForm(FlaskForm):
    kind = SelectField("Kind", choices=options(KIND_CHOICES), default="staff")
    given_name = StringField("Given name", validators=[DataRequired(), Length(max=120)])
    family_name = StringField("Family name", validators=[DataRequired(), Length(max=120)])
    staff_number = StringField("Staff number", validators=[Optional(), Length(max=40)])
    job_title = StringField("Job title", validators=[Optional(), Length(max=120)])
    organisation = StringField("Organisation", validators=[Optional(), Length(max=120)])

    def validate_staff_number(self, field: StringField) -> None:
        if self.kind.data == "staff" and not (field.data or "").strip():
            raise ValidationError("Staff need a staff number (it links roster imports).")


class TrainingForm(FlaskForm):
    completed_on = DateField(
        "Completed on", validators=[DataRequired(), not_in_future, not_ancient]
    )
    level = SelectField("Level", validators=[DataRequired()])
    course = StringField("Course", validators=[DataRequired(), Length(max=200)])
    course_version = StringField("Course version", validators=[DataRequired(), Length(max=40)])
    approver_id = SelectField(
        "Approved by", coerce=int, validators=[DataRequired(message="Choose who approved it.")]
    )
    evidence = TextAreaField(
        "Evidence",
        validators=[Optional(), Length(max=2000)],
        description="e.g. quiz score 18/20, certificate number",
    )


class ScreeningForm(FlaskForm):
    screened_on = DateField(
        "Form signed on", validators=[DataRequired(), not_in_future, not_ancient]
    )
    cleared = SelectField(
        "Outcome",
        choices=options(
            [("", "Choose…"), ("yes", "Cleared for Zones III/IV"), ("no", "Not cleared")]
        ),
        validators=[DataRequired()],
    )
    valid_until = DateField(
        "Valid until",
        validators=[Optional()],
        description="Leave empty for one year after the form date.",
    )
    reason = TextAreaField(
        "Reason / notes",
        validators=[Optional(), Length(max=500)],
        description="Required when not cleared. Do not enter clinical details.",
    )

    def validate_reason(self, field: TextAreaField) -> None:
        if self.cleared.data == "no" and not (field.data or "").strip():
            raise ValidationError("Say why the person is not cleared.")

    def validate_valid_until(self, field: DateField) -> None:
        if field.data and self.screened_on.data and field.data < self.screened_on.data:
            raise ValidationError("Valid until is before the form date.")


class DesignationForm(FlaskForm):
    role = SelectField("Designation", validators=[DataRequired()])
    granted_on = DateField("From", validators=[DataRequired(), not_ancient])
    in_charge = BooleanField("MRSO in charge (replaces the current one)")


class DesignationEndForm(FlaskForm):
    ended_on = DateField("Ends on", validators=[DataRequired(), not_ancient])


class VoidTrainingForm(FlaskForm):
    reason = StringField("Reason", validators=[DataRequired(), Length(min=5, max=300)])


class RosterImportForm(FlaskForm):
    file = FileField(
        "Roster CSV", validators=[FileRequired(), FileAllowed(["csv"], "Upload a .csv file.")]
    )
    staff_accounts = BooleanField(
        "Create staff accounts (own training only) for staff without one; "
        "their one-time sign-in codes are shown once"
    )


class RosterFilterForm(FlaskForm):
    FIELDS = ("kind", "level", "designation", "status", "q")

    kind = SelectField(
        "Kind", choices=options([("", "All but patients"), *KIND_CHOICES]), default="staff"
    )
    level = SelectField("MR level today", default="")
    designation = SelectField("Designation", default="")
    status = SelectField(
        "Training",
        default="",
        choices=options(
            [
                ("", "Any"),
                ("lapsed", "Lapsed (now Non-MR)"),
                ("expiring", "Lapsing within 30 days"),
            ]
        ),
    )
    q = StringField("Name or staff number", validators=[Optional(), Length(max=80)])
