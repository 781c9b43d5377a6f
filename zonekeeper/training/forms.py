from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from ..auth.forms import USERNAME_VALIDATORS


class EmptyForm(FlaskForm):
    """A POST button with its CSRF token."""


class StaffAccountForm(FlaskForm):
    username = StringField("Username", validators=USERNAME_VALIDATORS)
    email = EmailField("E-mail (for training reminders)", validators=[Optional(), Length(max=200)])


class FirstSignInForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=80)])
    code = StringField("One-time code from the MRSO", validators=[DataRequired(), Length(max=40)])
    new_password = PasswordField("Choose a password", validators=[DataRequired(), Length(max=256)])
    confirm_password = PasswordField(
        "The password again",
        validators=[DataRequired(), EqualTo("new_password", message="The two passwords differ.")],
    )


class AssignForm(FlaskForm):
    course_id = SelectField("Course", validators=[DataRequired()])
    target = SelectField("Who", validators=[DataRequired()])
    due_on = DateField("Due by", validators=[DataRequired()])
    note = StringField("Note", validators=[Optional(), Length(max=300)])


class ReminderForm(FlaskForm):
    message = TextAreaField("Message", validators=[DataRequired(), Length(max=1000)])
