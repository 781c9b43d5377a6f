from __future__ import annotations

import logging

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..choices import options
from ..clock import site_today
from ..extensions import db
from ..people.models import Person
from ..people.services import access_facts
from ..policy import Decision, Policy, PolicyError, decide_zone_access
from ..policy_store import current_policy
from .forms import AccessCheckForm
from .scanners import register_scanner_views
from .services import doors, personnel_summary, scanners, zone_overview

bp = Blueprint("site", __name__)
register_scanner_views(bp)
log = logging.getLogger(__name__)


def _policy_or_error() -> tuple[Policy | None, PolicyError | None]:
    try:
        return current_policy(), None
    except PolicyError as exc:
        log.error("policy failed to load: %s", exc)
        return None, exc


@bp.route("/")
def dashboard() -> ResponseReturnValue:
    policy, error = _policy_or_error()
    if policy is None:
        return render_template("site/policy_broken.html", error=error), 503
    zones, misplaced = zone_overview(policy)
    return render_template(
        "site/dashboard.html",
        policy=policy,
        zones=zones,
        misplaced=misplaced,
        scanners=scanners(),
        doors=doors(),
        personnel=personnel_summary(policy, site_today()),
    )


@bp.route("/policy")
def policy() -> ResponseReturnValue:
    loaded, error = _policy_or_error()
    if loaded is None:
        return render_template("site/policy_broken.html", error=error), 503
    return render_template("site/policy.html", policy=loaded)


@bp.route("/access-check", methods=["GET", "POST"])
def check_access() -> ResponseReturnValue:
    loaded, error = _policy_or_error()
    if loaded is None:
        return render_template("site/policy_broken.html", error=error), 503
    policy = loaded
    people = db.session.scalars(
        select(Person)
        .where(Person.active.is_(True))
        .order_by(Person.family_name, Person.given_name)
        .options(
            selectinload(Person.trainings),
            selectinload(Person.screenings),
            selectinload(Person.designations),
        )
    ).all()
    by_id = {p.id: p for p in people}
    form = AccessCheckForm()
    form.person_id.choices = options(
        (p.id, f"{p.family_name}, {p.given_name} ({p.kind})") for p in people
    )
    form.escort_id.choices = options(
        [(0, "No escort")]
        + [(p.id, f"{p.family_name}, {p.given_name}") for p in people if p.kind == "staff"]
    )
    form.target_zone.choices = options((z.id, z.name) for z in policy.zones)
    decision: Decision | None = None
    status = 200
    if form.validate_on_submit():
        person = by_id[form.person_id.data]
        escort = by_id.get(form.escort_id.data) if form.escort_id.data else None
        facts = access_facts(
            person,
            form.target_zone.data,
            site_today(),
            policy,
            escort=escort,
            level_2_authorized=form.level_2_authorized.data,
            emergency_mode=form.emergency_mode.data,
            magnet_quenched=form.magnet_quenched.data,
        )
        decision = decide_zone_access(policy, facts)
    elif form.is_submitted():
        status = 400
    level_names = {level.id: level.name for level in policy.levels}
    return (
        render_template(
            "site/check_access.html", form=form, decision=decision, level_names=level_names
        ),
        status,
    )
