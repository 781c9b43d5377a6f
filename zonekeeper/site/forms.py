from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.validators import InputRequired


class AccessCheckForm(FlaskForm):
    """A what-if question for the policy: may this person enter this zone now?"""

    person_id = SelectField("Person", coerce=int, validators=[InputRequired()])
    target_zone = SelectField("Entering", validators=[InputRequired()])
    escort_id = SelectField("Escort", coerce=int, default=0)
    level_2_authorized = BooleanField("Final authorization given by Level 2")
    emergency_mode = BooleanField("Site emergency declared")
    magnet_quenched = BooleanField("Magnet quenched (field off)")
