"""Today at a glance for the MRSO and the safety director."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from ..actions.services import open_actions
from ..clock import site_today
from ..db import utcnow
from ..doors.occupancy import recent_denials
from ..incidents.models import CATEGORIES, SEVERITIES
from ..incidents.services import awaiting_review
from ..people.services import active_staff, person_standing
from ..policy_store import current_policy
from ..training.oversight import training_waiting
from ..zone_audits.services import day_statuses, missed_days

bp = Blueprint("dashboard", __name__)


@bp.route("/safety")
def safety() -> ResponseReturnValue:
    policy, today = current_policy(), site_today()
    standings = [person_standing(p, today, policy) for p in active_staff()]
    actions = open_actions()
    denied_count, denied = recent_denials(utcnow() - timedelta(hours=24))
    return render_template(
        "dashboard/safety.html",
        today=today,
        audits=day_statuses(policy, today),
        missed=missed_days(policy, today),
        actions=actions,
        overdue=[a for a in actions if a.overdue_on(today)],
        incidents=awaiting_review(),
        categories=CATEGORIES,
        severities=SEVERITIES,
        lapsed=[s for s in standings if s.level.lapsed],
        lapsing=[s for s in standings if s.lapses_within(30, today)],
        level_names={lv.id: lv.name for lv in policy.levels},
        denied=denied,
        denied_count=denied_count,
        training_waiting=training_waiting(today),
    )
