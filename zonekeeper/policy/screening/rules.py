"""Applying fact rules (screening.yaml ``rules``, contrast.yaml ``rules``) to a tally."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .decision import Action, Constraint, ScreeningReason
from .derived import DERIVED_FACTS
from .facts import SCREENING_FACTS
from .logic import rule_state
from .policy import ScreeningRule
from .tally import Tally

UNKNOWN_SOURCE = "ZoneKeeper fail-closed principle: an unknown answer is never a 'no'"


def describe_fact(name: str) -> str:
    spec = SCREENING_FACTS.get(name) or DERIVED_FACTS.get(name)
    return spec.description.rstrip(".") if spec is not None else name


def apply_rules(
    tally: Tally,
    rules: Sequence[ScreeningRule],
    facts: Mapping[str, Any],
    actions: Mapping[str, str],
) -> None:
    """Fired rules add their disposition; undetermined ones ask for the unknown answers."""
    for rule in rules:
        state, unknown = rule_state(rule.when, rule.unless, facts)
        if state == "fired":
            tally.add(
                ScreeningReason(rule.code, rule.text, rule.id, rule.source, rule.disposition),
                (Action(code, actions[code], rule.id) for code in rule.actions),
                (Constraint(f"{rule.id}.{cid}", text, rule.id) for cid, text in rule.constraints),
            )
        elif state == "undetermined" and rule.disposition != "cleared":
            questions = "; ".join(f"'{describe_fact(f)}'" for f in dict.fromkeys(unknown))
            text = f"Not known: {questions}. The answer is needed because: {rule.text}"
            tally.add(
                ScreeningReason(
                    "unknown_answer", text, rule.id, UNKNOWN_SOURCE, "more_info_required"
                ),
                [Action("answer_open_questions", actions["answer_open_questions"], rule.id)],
            )


def check_required_answers(
    tally: Tally,
    required: Sequence[str],
    source: str,
    facts: Mapping[str, Any],
    actions: Mapping[str, str],
) -> None:
    missing = [name for name in required if facts.get(name) is None]
    for name in missing:
        text = f"Unanswered: '{describe_fact(name)}'. Every screening question needs a yes or no."
        tally.add(
            ScreeningReason("unanswered", text, f"required.{name}", source, "more_info_required"),
            [Action("answer_open_questions", actions["answer_open_questions"], "required_answers")],
        )
