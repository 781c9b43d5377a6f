"""The loaded policy and the decisions it produces (plain, immutable data)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .conditions import Condition
from .facts import Domains
from .schema import DesignationSpec, LevelSpec, PersonKindSpec, ZoneSpec

Effect = Literal["grant", "grant_with_escort", "deny"]
Outcome = Literal["grant", "grant_with_escort", "deny"]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    effect: Effect
    code: str
    text: str
    source: str
    when: tuple[Condition, ...]
    unless: tuple[Condition, ...]
    file: str


@dataclass(frozen=True, slots=True)
class Policy:
    version: str
    directory: str
    files: tuple[str, ...]
    zones: tuple[ZoneSpec, ...]
    levels: tuple[LevelSpec, ...]  # lowest rank first
    designations: tuple[DesignationSpec, ...]
    person_kinds: tuple[PersonKindSpec, ...]
    training_validity_days: int
    training_validity_source: str
    rules: tuple[Rule, ...]
    domains: Domains

    @property
    def lowest_level(self) -> str:
        return self.levels[0].id

    def zone(self, zone_id: str) -> ZoneSpec | None:
        return next((zone for zone in self.zones if zone.id == zone_id), None)

    def level(self, level_id: str) -> LevelSpec | None:
        return next((level for level in self.levels if level.id == level_id), None)

    def rule(self, rule_id: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.id == rule_id), None)


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    text: str
    rule_id: str
    source: str


@dataclass(frozen=True, slots=True)
class ConditionTrace:
    clause: Literal["when", "unless"]
    fact: str
    op: str
    expected: Any
    actual: Any
    result: bool


@dataclass(frozen=True, slots=True)
class RuleTrace:
    rule_id: str
    effect: Effect
    fired: bool
    conditions: tuple[ConditionTrace, ...]


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    reasons: tuple[Reason, ...]
    policy_version: str
    trace: tuple[RuleTrace, ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def granted(self) -> bool:
        return self.outcome != "deny"

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "reasons": [asdict(reason) for reason in self.reasons],
            "policy_version": self.policy_version,
            "facts": dict(self.facts),
            "trace": [asdict(rule) for rule in self.trace],
        }
