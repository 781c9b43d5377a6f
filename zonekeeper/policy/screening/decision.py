"""What a screening evaluation returns: plain, immutable, JSON-ready data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from .policy import Disposition

ContrastDisposition = Literal["not_applicable", "cleared", "more_info_required", "not_cleared"]


@dataclass(frozen=True, slots=True)
class ScreeningReason:
    code: str
    text: str
    rule_id: str  # a rule id, "implant.<check>" for an implant check, "engine.*" for the engine
    source: str
    disposition: Disposition  # what this reason alone leads to
    implant: str | None = None  # "implants[0]" when the reason is about a declared implant

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "text": self.text,
            "rule_id": self.rule_id,
            "source": self.source,
            "disposition": self.disposition,
            "implant": self.implant,
        }


@dataclass(frozen=True, slots=True)
class Constraint:
    """A condition to apply (and confirm) on the scanner, e.g. 'B1+rms ≤ 2 µT'."""

    id: str  # stable: "implants[0].b1rms", "<rule id>.<constraint id>"
    text: str
    source: str  # "implants[0]" or a rule id
    implant: str | None = None  # the implant's name, for the checklist

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "source": self.source, "implant": self.implant}


@dataclass(frozen=True, slots=True)
class Action:
    code: str
    text: str
    source: str  # the rule id or "implants[i]" that asks for it
    decided_by: str | None = None  # the physician who decides (actions' `decided_by`)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "text": self.text,
            "source": self.source,
            "decided_by": self.decided_by,
        }


@dataclass(frozen=True, slots=True)
class ScannerEligibility:
    """The exam as planned, moved to one scanner of the site.

    ``disposition`` includes what does not depend on the scanner (an orbit
    foreign body blocks every scanner); ``reasons`` and ``constraints`` are the
    scanner's own (its field, gradient, modes and coils against each label).
    """

    scanner: str
    field_strength_t: float
    booked: bool
    disposition: Disposition
    constraints: tuple[Constraint, ...]
    reasons: tuple[ScreeningReason, ...]

    @property
    def eligible(self) -> bool:
        return self.disposition in ("cleared", "conditional")

    def to_dict(self) -> dict[str, Any]:
        return {
            "scanner": self.scanner,
            "field_strength_t": self.field_strength_t,
            "booked": self.booked,
            "eligible": self.eligible,
            "disposition": self.disposition,
            "constraints": [c.to_dict() for c in self.constraints],
            "reasons": [r.to_dict() for r in self.reasons],
        }


@dataclass(frozen=True, slots=True)
class ContrastDecision:
    disposition: ContrastDisposition
    agent: str | None  # as planned
    generic_name: str | None  # as found in rules/contrast.yaml
    group: str | None  # "I", "II", "III"
    reasons: tuple[ScreeningReason, ...]
    actions: tuple[Action, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "disposition": self.disposition,
            "agent": self.agent,
            "generic_name": self.generic_name,
            "group": self.group,
            "reasons": [r.to_dict() for r in self.reasons],
            "actions": [a.to_dict() for a in self.actions],
        }


@dataclass(frozen=True, slots=True)
class ScreeningDecision:
    disposition: Disposition
    scanner: str  # the scanner the exam is booked on; constraints apply there
    constraints: tuple[Constraint, ...]
    actions: tuple[Action, ...]
    eligible_scanners: tuple[ScannerEligibility, ...]  # every site scanner, eligible or not
    reasons: tuple[ScreeningReason, ...]
    contrast: ContrastDecision
    policy_version: str
    evaluated_on: date | None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)

    @property
    def action_codes(self) -> tuple[str, ...]:
        return tuple(action.code for action in self.actions)

    def to_dict(self) -> dict[str, Any]:
        return {
            "disposition": self.disposition,
            "scanner": self.scanner,
            "constraints": [c.to_dict() for c in self.constraints],
            "actions": [a.to_dict() for a in self.actions],
            "eligible_scanners": [s.to_dict() for s in self.eligible_scanners],
            "reasons": [r.to_dict() for r in self.reasons],
            "contrast": self.contrast.to_dict(),
            "policy_version": self.policy_version,
            "evaluated_on": self.evaluated_on.isoformat() if self.evaluated_on else None,
        }
