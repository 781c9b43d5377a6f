from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, Length

from ..choices import options
from .emergency import EMERGENCY_KINDS


class DeclareEmergencyForm(FlaskForm):
    kind = RadioField(
        "What is happening",
        choices=options((kind, title) for kind, (title, _text) in EMERGENCY_KINDS.items()),
        validators=[DataRequired(message="Choose what kind of emergency it is.")],
    )
    note = StringField("Note (where, what)", validators=[Length(max=300)])


class ConfirmForm(FlaskForm):
    """A bare POST with its CSRF token (end emergency, mark safe)."""
