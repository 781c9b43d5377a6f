"""What a person's records mean today: their MR level, screening and roles,
and the facts the policy engine needs to decide their access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..policy import Policy, TrainingFact, best_current_training
from ..policy.personnel import LevelStanding
from .models import Person


@dataclass(frozen=True)
class PersonStanding:
    person: Person
    level: LevelStanding
    screening_status: str
    designations: tuple[str, ...]

    def lapses_within(self, days: int, today: date) -> bool:
        """Current today, but not ``days`` days from now (the renewal list)."""
        until = self.level.current_until
        return self.level.level != "non_mr" and until is not None and (until - today).days < days


def active_staff() -> list[Person]:
    """Active staff with the records their standing needs, loaded in three queries."""
    return list(
        db.session.scalars(
            select(Person)
            .where(Person.kind == "staff", Person.active.is_(True))
            .options(
                selectinload(Person.trainings),
                selectinload(Person.screenings),
                selectinload(Person.designations),
            )
            .order_by(Person.family_name, Person.given_name)
        )
    )


def screening_status(person: Person, today: date) -> str:
    """cleared / not_cleared / expired / missing, from the latest screening on file."""
    on_file = [s for s in person.screenings if s.screened_on <= today]
    if not on_file:
        return "missing"
    latest = max(on_file, key=lambda s: (s.screened_on, s.recorded_at))
    if latest.valid_until < today:
        return "expired"
    return "cleared" if latest.cleared else "not_cleared"


def person_standing(person: Person, today: date, policy: Policy) -> PersonStanding:
    trainings = [
        TrainingFact(t.level, t.completed_on) for t in person.trainings if t.voided_at is None
    ]
    return PersonStanding(
        person=person,
        level=best_current_training(trainings, today, policy),
        screening_status=screening_status(person, today),
        designations=tuple(sorted({d.role for d in person.designations if d.held_on(today)})),
    )


def access_facts(
    person: Person,
    target_zone: str,
    today: date,
    policy: Policy,
    *,
    escort: Person | None = None,
    level_2_authorized: bool | None = None,
    emergency_mode: bool = False,
    magnet_quenched: bool = False,
) -> dict[str, Any]:
    """The facts for ``decide_zone_access`` built from the database records."""
    standing = person_standing(person, today, policy)
    facts: dict[str, Any] = {
        "target_zone": target_zone,
        "person.id": person.id,
        "person.kind": person.kind,
        "person.screening_status": standing.screening_status,
        "person.designations": list(standing.designations),
        "person.level_2_authorized": level_2_authorized,
        "site.emergency_mode": emergency_mode,
        "site.magnet_quenched": magnet_quenched,
        **standing.level.as_facts("person"),
    }
    if escort is not None:
        escort_standing = person_standing(escort, today, policy)
        facts["escort.id"] = escort.id
        facts["escort.screening_status"] = escort_standing.screening_status
        facts.update(escort_standing.level.as_facts("escort"))
    return facts
