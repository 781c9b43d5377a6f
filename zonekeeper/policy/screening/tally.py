"""Collecting reasons, actions and constraints while the worst disposition wins."""

from __future__ import annotations

from collections.abc import Iterable

from .decision import Action, Constraint, ScreeningReason
from .policy import SEVERITY, Disposition


class Tally:
    __slots__ = ("disposition", "reasons", "actions", "constraints")

    def __init__(self) -> None:
        self.disposition: Disposition = "cleared"
        self.reasons: list[ScreeningReason] = []
        self.actions: list[Action] = []
        self.constraints: list[Constraint] = []

    def add(
        self,
        reason: ScreeningReason,
        actions: Iterable[Action] = (),
        constraints: Iterable[Constraint] = (),
    ) -> None:
        if SEVERITY[reason.disposition] > SEVERITY[self.disposition]:
            self.disposition = reason.disposition
        self.reasons.append(reason)
        self.add_actions(actions)
        self.constraints.extend(constraints)

    def add_actions(self, actions: Iterable[Action]) -> None:
        for action in actions:
            if action not in self.actions:
                self.actions.append(action)
