from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

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


class EndEmergencyForm(FlaskForm):
    """Ending an emergency: confirmed, and optionally marking everyone out with a reason."""

    confirm = BooleanField(
        "Yes: the emergency is over and the doors decide again",
        validators=[DataRequired(message="Tick to confirm that the emergency is over.")],
    )
    mark_out = BooleanField("Mark everyone still recorded inside as out")
    reason = StringField(
        "Reason (logged)",
        validators=[Length(max=300)],
    )

    def validate_reason(self, field: StringField) -> None:
        if self.mark_out.data and not (field.data or "").strip():
            raise ValidationError("Give the reason for marking everyone out: it is logged.")
