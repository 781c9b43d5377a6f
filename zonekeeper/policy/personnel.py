"""Which training record gives a person their MR level today.

The roster, the door and the reports all ask "what level is this person now?"
and must get the same answer, so the choice of record lives here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .model import Policy


@dataclass(frozen=True, slots=True)
class TrainingFact:
    level: str
    completed_on: date


@dataclass(frozen=True, slots=True)
class LevelStanding:
    """A person's MR level on a given day, and the record it rests on."""

    level: str
    basis: TrainingFact | None
    age_days: int | None
    current_until: date | None  # last day the basis record counts
    lapsed: bool

    def as_facts(self, prefix: str) -> dict[str, Any]:
        if self.basis is None:
            return {f"{prefix}.training_level": None, f"{prefix}.training_age_days": None}
        return {
            f"{prefix}.training_level": self.basis.level,
            f"{prefix}.training_age_days": self.age_days,
        }


def best_current_training(
    trainings: Iterable[TrainingFact], today: date, policy: Policy
) -> LevelStanding:
    """The highest level still within the validity window; else the latest record.

    Records dated after ``today`` are ignored (they cannot count yet).
    """
    rank = {level.id: level.rank for level in policy.levels}
    window = policy.training_validity_days
    usable = [t for t in trainings if t.completed_on <= today and t.level in rank]
    current = [t for t in usable if (today - t.completed_on).days <= window]
    if current:
        basis = max(current, key=lambda t: (rank[t.level], t.completed_on))
        return LevelStanding(
            level=basis.level,
            basis=basis,
            age_days=(today - basis.completed_on).days,
            current_until=basis.completed_on + timedelta(days=window),
            lapsed=False,
        )
    if usable:
        latest = max(usable, key=lambda t: (t.completed_on, rank[t.level]))
        return LevelStanding(
            level=policy.lowest_level,
            basis=latest,
            age_days=(today - latest.completed_on).days,
            current_until=latest.completed_on + timedelta(days=window),
            lapsed=latest.level != policy.lowest_level,
        )
    return LevelStanding(policy.lowest_level, None, None, None, lapsed=False)
