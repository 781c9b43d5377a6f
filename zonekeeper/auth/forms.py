from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from ..choices import options
from .models import ROLE_LABELS


class SignInForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField("New password", validators=[DataRequired(), Length(max=256)])
    confirm_password = PasswordField(
        "New password again",
        validators=[
            DataRequired(),
            EqualTo("new_password", message="The two new passwords differ."),
        ],
    )


USERNAME_VALIDATORS = [
    DataRequired(),
    Length(max=80),
    Regexp(r"^[A-Za-z0-9._-]+$", message="Letters, digits, dot, dash and underscore only."),
]


class UserCreateForm(FlaskForm):
    username = StringField("Username", validators=USERNAME_VALIDATORS)
    role = SelectField("Role", choices=options(ROLE_LABELS.items()))
    person_id = SelectField("Person", coerce=int, default=0)
    door_id = SelectField("Door (kiosk accounts)", coerce=int, default=0)
    password = PasswordField("Initial password", validators=[DataRequired(), Length(max=256)])


class ConfirmForm(FlaskForm):
    """An empty form: a POST button with its CSRF token."""
