"""The second validation pass for rules/screening.yaml and rules/contrast.yaml.

Checks meaning, not shape: fact names against the screening fact catalogue
(with a "did you mean"), operators and values against each fact's type, action
codes against the actions catalogue, built-in implant checks (each configured
exactly once, their text using only the fields the check provides), unique
rule ids, the contrast agent catalogue (known groups, each spelling naming one
agent only).
"""

from __future__ import annotations

import string
from typing import Any

from ..conditions import OPERATORS, Condition, unknown_operator
from ..errors import PolicyIssue, suggest
from ..schema import ConditionSpec, ContrastFile, ScreeningFile, ScreeningRuleSpec
from .agents import compile_agent_catalogue
from .derived import DERIVED_FACTS, fact_kind, known_fact_names
from .facts import NOT_ANSWERED, SCREENING_FACTS
from .gradient_parse import compile_implant_distances
from .implants import IMPLANT_CATEGORIES
from .policy import (
    CONTRAST_DISPOSITIONS,
    IMPLANT_CHECKS,
    ContrastGroup,
    ContrastPolicy,
    ImplantCheck,
    ScreeningPolicy,
    ScreeningRule,
    Unanswerable,
)

# action codes the evaluation itself adds, so the catalogue must define them
ENGINE_ACTIONS: tuple[str, ...] = ("answer_open_questions", "program_device")


def compile_screening(
    screening: ScreeningFile,
    screening_name: str,
    contrast: tuple[ContrastFile, str] | None,
    issues: list[PolicyIssue],
) -> tuple[ScreeningPolicy, ContrastPolicy | None]:
    actions = _actions(screening, screening_name, contrast, issues)
    group_ids = tuple(g.id for g in contrast[0].groups) if contrast else ()
    for index, fact in enumerate(screening.required_answers):
        if fact not in SCREENING_FACTS or fact in NOT_ANSWERED:
            answerable = [n for n in SCREENING_FACTS if n not in NOT_ANSWERED]
            issues.append(
                PolicyIssue(
                    screening_name,
                    f"required_answers[{index}]",
                    f"'{fact}' is not a question answered on the form",
                    suggest(fact, answerable),
                )
            )
    for key in ("system_categories", "program_device_categories"):
        for index, category in enumerate(getattr(screening, key)):
            if category not in IMPLANT_CATEGORIES:
                issues.append(
                    PolicyIssue(
                        screening_name,
                        f"{key}[{index}]",
                        f"unknown implant category '{category}'",
                        suggest(category, IMPLANT_CATEGORIES),
                    )
                )
    seen_rules: dict[str, str] = {}
    rules = _rules(
        screening.rules, screening_name, actions, group_ids, seen_rules, issues, contrast=False
    )
    checks = _implant_checks(screening, screening_name, actions, group_ids, issues)
    unanswerable = None
    if screening.unanswerable is not None:
        spec = screening.unanswerable
        unanswerable = Unanswerable(
            _conditions(spec.when, screening_name, "unanswerable.when", group_ids, issues),
            _conditions(
                spec.covered_when, screening_name, "unanswerable.covered_when", group_ids, issues
            ),
            spec.source,
        )
    contrast_policy = None
    if contrast is not None:
        contrast_policy = _contrast(contrast[0], contrast[1], actions, seen_rules, issues)
    policy = ScreeningPolicy(
        required_answers=tuple(screening.required_answers),
        required_answers_source=screening.required_answers_source,
        system_categories=frozenset(screening.system_categories),
        program_device_categories=frozenset(screening.program_device_categories),
        rules=rules,
        implant_checks=checks,
        actions=actions,
        file=screening_name,
        action_deciders=_action_deciders(screening, contrast),
        unanswerable=unanswerable,
        implant_distances=compile_implant_distances(
            screening.implant_distances, screening_name, issues
        ),
    )
    return policy, contrast_policy


def _actions(
    screening: ScreeningFile,
    screening_name: str,
    contrast: tuple[ContrastFile, str] | None,
    issues: list[PolicyIssue],
) -> dict[str, str]:
    actions: dict[str, str] = {}
    sources = [(screening_name, screening.actions)]
    if contrast is not None:
        sources.append((contrast[1], contrast[0].actions))
    for file_name, specs in sources:
        for index, spec in enumerate(specs):
            if spec.code in actions:
                issues.append(
                    PolicyIssue(file_name, f"actions[{index}].code", f"duplicate '{spec.code}'")
                )
            actions[spec.code] = spec.text
    for code in ENGINE_ACTIONS:
        if code not in actions:
            issues.append(
                PolicyIssue(screening_name, "actions", f"action '{code}' must be defined")
            )
    return actions


def _action_deciders(
    screening: ScreeningFile, contrast: tuple[ContrastFile, str] | None
) -> dict[str, str]:
    specs = list(screening.actions) + (list(contrast[0].actions) if contrast else [])
    return {spec.code: spec.decided_by for spec in specs if spec.decided_by}


def _implant_checks(
    screening: ScreeningFile,
    file_name: str,
    actions: dict[str, str],
    group_ids: tuple[str, ...],
    issues: list[PolicyIssue],
) -> dict[str, ImplantCheck]:
    checks: dict[str, ImplantCheck] = {}
    for index, spec in enumerate(screening.implant_checks):
        where = f"implant_checks[{index}]"
        fields = IMPLANT_CHECKS.get(spec.check)
        if fields is None:
            issues.append(
                PolicyIssue(
                    file_name,
                    f"{where}.check",
                    f"unknown implant check '{spec.check}'",
                    suggest(spec.check, IMPLANT_CHECKS),
                )
            )
            continue
        if spec.check in checks:
            issues.append(PolicyIssue(file_name, f"{where}.check", f"duplicate '{spec.check}'"))
        problem = _template_problem(spec.text, fields)
        if problem:
            issues.append(PolicyIssue(file_name, f"{where}.text", problem))
        _check_actions(spec.actions, actions, file_name, where, issues)
        checks[spec.check] = ImplantCheck(
            spec.check,
            spec.disposition,
            spec.code,
            spec.text,
            spec.source,
            tuple(spec.actions),
            _conditions(spec.unless, file_name, f"{where}.unless", group_ids, issues),
            file_name,
        )
    for check in IMPLANT_CHECKS:
        if check not in checks:
            issues.append(
                PolicyIssue(file_name, "implant_checks", f"check '{check}' is not configured")
            )
    return checks


def _template_problem(text: str, fields: tuple[str, ...]) -> str | None:
    try:
        used = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:
        return f"is not a valid text template: {exc}"
    unknown = [name for name in used if name not in fields]
    if unknown:
        return f"unknown field '{{{unknown[0]}}}' (this check provides: {', '.join(fields)})"
    return None


def _contrast(
    contrast: ContrastFile,
    file_name: str,
    actions: dict[str, str],
    seen_rules: dict[str, str],
    issues: list[PolicyIssue],
) -> ContrastPolicy:
    group_ids: list[str] = []
    for g_index, group in enumerate(contrast.groups):
        if group.id in group_ids:
            issues.append(
                PolicyIssue(file_name, f"groups[{g_index}].id", f"duplicate '{group.id}'")
            )
        group_ids.append(group.id)
    agents, index_by_name = compile_agent_catalogue(contrast, file_name, group_ids, issues)
    for index, rule in enumerate(contrast.rules):
        if rule.disposition not in CONTRAST_DISPOSITIONS:
            issues.append(
                PolicyIssue(
                    file_name,
                    f"rules[{index}].disposition",
                    f"a contrast rule's disposition is one of {', '.join(CONTRAST_DISPOSITIONS)}",
                )
            )
    rules = _rules(
        contrast.rules, file_name, actions, tuple(group_ids), seen_rules, issues, contrast=True
    )
    groups = tuple(ContrastGroup(g.id, g.name, g.source) for g in contrast.groups)
    return ContrastPolicy(groups, agents, rules, index_by_name, file_name)


def _rules(
    specs: list[ScreeningRuleSpec],
    file_name: str,
    actions: dict[str, str],
    group_ids: tuple[str, ...],
    seen_rules: dict[str, str],
    issues: list[PolicyIssue],
    *,
    contrast: bool,
) -> tuple[ScreeningRule, ...]:
    rules: list[ScreeningRule] = []
    for index, spec in enumerate(specs):
        where = f"rules[{index}]"
        if spec.id in seen_rules:
            issues.append(
                PolicyIssue(
                    file_name,
                    f"{where}.id",
                    f"duplicate rule id '{spec.id}' (first defined in {seen_rules[spec.id]})",
                )
            )
        seen_rules.setdefault(spec.id, file_name)
        _check_actions(spec.actions, actions, file_name, where, issues)
        if contrast and spec.constraints:
            issues.append(
                PolicyIssue(file_name, f"{where}.constraints", "contrast rules have no constraints")
            )
        constraint_ids = [c.id for c in spec.constraints]
        if len(set(constraint_ids)) != len(constraint_ids):
            issues.append(PolicyIssue(file_name, f"{where}.constraints", "duplicate constraint id"))
        when = _conditions(spec.when, file_name, f"{where}.when", group_ids, issues)
        unless = _conditions(spec.unless, file_name, f"{where}.unless", group_ids, issues)
        rules.append(
            ScreeningRule(
                spec.id,
                spec.disposition,
                spec.code,
                spec.text,
                spec.source,
                tuple(spec.actions),
                tuple((c.id, c.text) for c in spec.constraints),
                when,
                unless,
                file_name,
            )
        )
    return tuple(rules)


def _check_actions(
    codes: list[str], actions: dict[str, str], file_name: str, where: str, issues: list[PolicyIssue]
) -> None:
    for index, code in enumerate(codes):
        if code not in actions:
            issues.append(
                PolicyIssue(
                    file_name,
                    f"{where}.actions[{index}]",
                    f"unknown action '{code}'",
                    suggest(code, actions),
                )
            )


def _conditions(
    specs: list[ConditionSpec],
    file_name: str,
    path: str,
    group_ids: tuple[str, ...],
    issues: list[PolicyIssue],
) -> tuple[Condition, ...]:
    compiled: list[Condition] = []
    for index, spec in enumerate(specs):
        where = f"{path}[{index}]"
        kind = fact_kind(spec.fact)
        if kind is None:
            issues.append(
                PolicyIssue(
                    file_name,
                    f"{where}.fact",
                    f"unknown screening fact '{spec.fact}'",
                    suggest(spec.fact, known_fact_names()),
                )
            )
            continue
        bad_operator = unknown_operator(spec.op, file_name, where)
        if bad_operator is not None:
            issues.append(bad_operator)
            continue
        operator = OPERATORS[spec.op]
        choices = group_ids if spec.fact == "contrast.group" else _choices(spec.fact)
        problem = _value_problem(spec.fact, kind, operator.takes, spec.value, choices)
        if problem is not None:
            issues.append(PolicyIssue(file_name, f"{where}.value", problem[0], problem[1]))
            continue
        value = tuple(spec.value) if isinstance(spec.value, list) else spec.value
        compiled.append(Condition(spec.fact, spec.op, value, operator.test))
    return tuple(compiled)


def _choices(fact: str) -> tuple[str, ...]:
    derived = DERIVED_FACTS.get(fact)
    return derived.choices if derived is not None else ()


def _value_problem(
    fact: str, kind: str, takes: str, value: Any, choices: tuple[str, ...]
) -> tuple[str, str | None] | None:
    if takes == "none":
        return None if value is None else ("this operator takes no value", None)
    if takes == "member":
        return (f"fact '{fact}' is not a list; use eq or in", None)
    if takes == "number":
        if kind != "number":
            return (f"fact '{fact}' is not a number and cannot be ordered", None)
        return None if _is_number(value) else ("must be a number", None)
    if kind == "date":
        return (f"fact '{fact}' is a date: test its derived age or is_null/not_null", None)
    if takes == "list" and (not isinstance(value, list) or not value):
        return ("must be a non-empty list", None)
    for item in value if takes == "list" else [value]:
        if item is None:
            return ("use is_null / not_null to test for an unknown value", None)
        if kind == "answer" and not isinstance(item, bool):
            return (f"fact '{fact}' is a yes/no answer: use true or false", None)
        if kind == "number" and not _is_number(item):
            return ("must be a number", None)
        if kind == "choice" and item not in choices:
            return (f"unknown value '{item}' for fact '{fact}'", suggest(str(item), choices))
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
