from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError

from ..date_range import plausible_date


class AuditFilterForm(FlaskForm):
    FIELDS = ("person_id", "action", "date_from", "date_to")

    person_id = SelectField("Person", coerce=int, default=0, validators=[Optional()])
    action = SelectField("Action", default="", validators=[Optional()])
    date_from = DateField("From", validators=[Optional(), plausible_date])
    date_to = DateField("To", validators=[Optional(), plausible_date])

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date is before the start date.")
