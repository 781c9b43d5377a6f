"""The loaded policy and the decisions it produces (plain, immutable data)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal, NamedTuple

from .conditions import Condition
from .facts import Domains
from .schema import ChecklistSpec, DesignationSpec, LevelSpec, PersonKindSpec, ZoneSpec
from .screening.policy import ContrastPolicy, ScreeningPolicy
from .screening_steps import StepRule

Effect = Literal["grant", "grant_with_escort", "deny"]
Outcome = Literal["grant", "grant_with_escort", "deny"]


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a decision came out as it did. ``text`` is what is said to the person (an access
    rule's ``display``: the door and the kiosk show it); ``explanation`` is the policy
    author's own ``text`` for the rule (the access check page and the CLI), "" if none."""

    code: str
    text: str
    rule_id: str
    source: str
    explanation: str = ""


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    effect: Effect
    code: str
    text: str  # the author's explanation
    source: str
    when: tuple[Condition, ...]
    unless: tuple[Condition, ...]
    file: str
    display: str = ""  # what the door shows (required in the rule files)

    @property
    def reason(self) -> Reason:
        return Reason(self.code, self.display or self.text, self.id, self.source, self.text)


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
    checklists: tuple[ChecklistSpec, ...] = ()
    action_due_days: dict[str, int] = field(default_factory=dict)
    incident_report_hours: int = 24
    medwatch_due_days: int = 10
    screening: ScreeningPolicy | None = None  # rules/screening.yaml, if present
    contrast: ContrastPolicy | None = None  # rules/contrast.yaml, if present
    # who may take each screening step (rules/screening_steps.yaml); empty: nobody may
    steps: dict[str, StepRule] = field(default_factory=dict)

    rules_with_reasons: tuple[tuple[Rule, Reason], ...] = field(default=(), init=False)

    def __post_init__(self) -> None:
        # the reasons are built once here, not on every decision
        object.__setattr__(self, "rules_with_reasons", tuple((r, r.reason) for r in self.rules))

    @property
    def lowest_level(self) -> str:
        return self.levels[0].id

    def zone(self, zone_id: str) -> ZoneSpec | None:
        return next((zone for zone in self.zones if zone.id == zone_id), None)

    def level(self, level_id: str) -> LevelSpec | None:
        return next((level for level in self.levels if level.id == level_id), None)

    def rule(self, rule_id: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.id == rule_id), None)

    def checklist(self, checklist_id: str) -> ChecklistSpec | None:
        return next((c for c in self.checklists if c.id == checklist_id), None)


@dataclass(frozen=True, slots=True)
class ConditionTrace:
    clause: str  # "when" or "unless"
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


class RuleEvaluation(NamedTuple):
    """What the engine records on the hot path; the readable trace is built from it on demand."""

    rule: Rule
    when_results: tuple[bool, ...]
    unless_results: tuple[bool, ...]
    fired: bool


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    reasons: tuple[Reason, ...]
    policy_version: str
    evaluations: tuple[RuleEvaluation, ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def trace(self) -> tuple[RuleTrace, ...]:
        """Every rule, every condition: what was expected, what the fact was, whether it held."""
        return tuple(
            RuleTrace(
                ev.rule.id,
                ev.rule.effect,
                ev.fired,
                tuple(
                    ConditionTrace(clause, c.fact, c.op, c.value, self.facts.get(c.fact), result)
                    for clause, conditions, results in (
                        ("when", ev.rule.when, ev.when_results),
                        ("unless", ev.rule.unless, ev.unless_results),
                    )
                    for c, result in zip(conditions, results, strict=True)
                ),
            )
            for ev in self.evaluations
        )

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
