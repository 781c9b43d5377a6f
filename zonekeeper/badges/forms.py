from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length

from ..date_range import plausible_date


class BadgeIssueForm(FlaskForm):
    valid_from = DateField("Valid from", validators=[DataRequired(), plausible_date])
    valid_until = DateField("Valid until", validators=[DataRequired(), plausible_date])


class BadgeReissueForm(FlaskForm):
    valid_until = DateField("Valid until", validators=[DataRequired(), plausible_date])
    reason = StringField("Why", validators=[DataRequired(), Length(min=3, max=200)])


class BadgeRevokeForm(FlaskForm):
    reason = StringField("Why", validators=[DataRequired(), Length(min=3, max=200)])
