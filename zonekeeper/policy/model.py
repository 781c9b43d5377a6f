"""The loaded policy and the decisions it produces (plain, immutable data)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .conditions import Condition, Test
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


# a condition as the engine runs it, and a rule as (its reason, when, unless)
Check = tuple[Test, str, Any]
CompiledRule = tuple[Reason, tuple[Check, ...], tuple[Check, ...]]
# per effect, in rule order: deny, grant, grant_with_escort
RulesByEffect = tuple[tuple[CompiledRule, ...], tuple[CompiledRule, ...], tuple[CompiledRule, ...]]
EFFECTS: tuple[Effect, ...] = ("deny", "grant", "grant_with_escort")


def _checks(conditions: tuple[Condition, ...], zone: str | None) -> tuple[Check, ...] | None:
    """The conditions still to test once the target zone is known (``zone`` None: all of
    them); None if a ``target_zone`` condition cannot hold for that zone."""
    checks: list[Check] = []
    for c in conditions:
        if zone is not None and c.fact == "target_zone":
            try:
                holds = c.test(zone, c.value)
            except Exception:  # noqa: BLE001 - left to the decision, which fails closed
                holds = None
            if holds is False:
                return None
            if holds:
                continue  # holds for every scan at this zone: nothing to test
        checks.append((c.test, c.fact, c.value))
    return tuple(checks)


def _rules_for_zone(rules: tuple[Rule, ...], zone: str | None) -> RulesByEffect:
    """The rules that can fire at ``zone``, with its ``target_zone`` tests already done.
    A rule fires when every ``when`` holds and not every ``unless`` does (an empty
    ``unless`` never vetoes); the engine evaluates these and builds the full trace of
    every rule only when it is asked for (Decision.trace)."""
    by_effect: dict[str, list[CompiledRule]] = {effect: [] for effect in EFFECTS}
    for rule in rules:
        when = _checks(rule.when, zone)
        if when is None:
            continue
        unless = _checks(rule.unless, zone)
        if unless is None:  # an unless that fails here never vetoes
            unless = ()
        elif rule.unless and not unless:  # every unless holds here: the rule never fires
            continue
        by_effect[rule.effect].append((rule.reason, when, unless))
    return (
        tuple(by_effect["deny"]),
        tuple(by_effect["grant"]),
        tuple(by_effect["grant_with_escort"]),
    )


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

    # the rules compiled once per target zone (key None: any zone), not on every decision
    rules_by_zone: dict[str | None, RulesByEffect] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        compiled: dict[str | None, RulesByEffect] = {
            zone: _rules_for_zone(self.rules, zone) for zone in self.domains.zones
        }
        compiled[None] = _rules_for_zone(self.rules, None)
        object.__setattr__(self, "rules_by_zone", compiled)

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


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    reasons: tuple[Reason, ...]
    policy_version: str
    # the rules that were evaluated against ``facts`` (none if the facts were refused)
    evaluated: tuple[Rule, ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def trace(self) -> tuple[RuleTrace, ...]:
        """Every rule, every condition: what was expected, what the fact was, whether it held.

        Built on demand from the facts (the tests are pure), so a door scan that never
        shows a trace does not pay for one."""
        return tuple(self._rule_trace(rule) for rule in self.evaluated)

    def _rule_trace(self, rule: Rule) -> RuleTrace:
        conditions = tuple(
            ConditionTrace(
                clause,
                c.fact,
                c.op,
                c.value,
                self.facts.get(c.fact),
                c.test(self.facts[c.fact], c.value),
            )
            for clause, clause_conditions in (("when", rule.when), ("unless", rule.unless))
            for c in clause_conditions
        )
        when = [t.result for t in conditions if t.clause == "when"]
        unless = [t.result for t in conditions if t.clause == "unless"]
        fired = all(when) and not (unless and all(unless))
        return RuleTrace(rule.id, rule.effect, fired, conditions)

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
