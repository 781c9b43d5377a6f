from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..choices import options
from .models import STATUSES

SEVERITY_CHOICES = [
    ("critical", "Critical"),
    ("high", "High"),
    ("medium", "Medium"),
    ("low", "Low"),
]


class ActionForm(FlaskForm):
    title = StringField("What needs doing", validators=[DataRequired(), Length(max=200)])
    detail = TextAreaField("Details", validators=[Optional(), Length(max=4000)])
    severity = SelectField("Severity", choices=options(SEVERITY_CHOICES), default="medium")
    owner_person_id = SelectField(
        "Owner", coerce=int, validators=[DataRequired(message="Choose an owner.")]
    )
    due_on = DateField(
        "Due",
        validators=[Optional()],
        description="Leave empty to use the due time for the severity.",
    )


class ActionUpdateForm(FlaskForm):
    status = SelectField(
        "Status", choices=options((s, s.replace("_", " ").capitalize()) for s in STATUSES)
    )
    owner_person_id = SelectField("Owner", coerce=int, validators=[DataRequired()])
    due_on = DateField("Due", validators=[DataRequired()])
    note = TextAreaField(
        "Note",
        validators=[Optional(), Length(max=4000)],
        description="Why the owner or due date changes, or, to close, what was done and by whom.",
    )
