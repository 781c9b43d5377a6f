from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ..choices import options
from ..date_range import plausible_date
from .models import CATEGORIES, SEVERITIES


class IncidentForm(FlaskForm):
    occurred_at = DateTimeLocalField(
        "When did it happen (site time)",
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(message="Enter the date and time."), plausible_date],
    )
    zone = SelectField("Zone", validators=[DataRequired(message="Choose the zone.")])
    room_id = SelectField("Room", coerce=int, default=0)
    scanner_id = SelectField("Scanner", coerce=int, default=0)
    category = SelectField(
        "Category",
        choices=options([("", "Choose…"), *CATEGORIES.items()]),
        validators=[DataRequired(message="Choose a category.")],
    )
    severity = SelectField(
        "Severity",
        choices=options([("", "Choose…"), *SEVERITIES.items()]),
        validators=[DataRequired(message="Choose a severity.")],
    )
    description = TextAreaField("What happened", validators=[DataRequired(), Length(max=8000)])
    immediate_actions = TextAreaField(
        "Immediate actions taken", validators=[Optional(), Length(max=4000)]
    )
    patient_mrn = StringField(
        "Patient MRN (if a patient was involved)",
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[A-Za-z0-9-]+$", message="Letters, digits and dashes only."),
        ],
    )
    staff_person_ids = SelectMultipleField("Staff involved", coerce=int, validators=[Optional()])
    device_involved = BooleanField("A medical device or implant was involved")
    device_description = StringField(
        "Device (make, model, what it is)", validators=[Optional(), Length(max=300)]
    )


class IncidentReviewForm(FlaskForm):
    root_cause = TextAreaField("Root cause", validators=[Optional(), Length(max=8000)])
    review_notes = TextAreaField(
        "Review notes and actions", validators=[Optional(), Length(max=8000)]
    )
    monthly_review_on = DateField("Monthly safety review date", validators=[Optional()])
    close = BooleanField("Close the incident (root cause and review date required)")
