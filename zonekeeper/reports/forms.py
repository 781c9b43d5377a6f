from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length


class SignReportForm(FlaskForm):
    comment = TextAreaField(
        "Comment with your signature",
        validators=[
            DataRequired(message="Write what you reviewed and any follow-up."),
            Length(min=5, max=2000, message="Between 5 and 2,000 characters."),
        ],
    )
