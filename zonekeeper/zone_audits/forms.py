from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length


class AmendForm(FlaskForm):
    reason = TextAreaField(
        "Reason for the amendment", validators=[DataRequired(), Length(min=5, max=1000)]
    )
