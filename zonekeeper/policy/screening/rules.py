"""Applying fact rules (screening.yaml ``rules``, contrast.yaml ``rules``) to a tally."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..conditions import Condition
from .decision import Action, Constraint, ScreeningReason
from .derived import DERIVED_FACTS
from .facts import NOT_ANSWERED, SCREENING_FACTS
from .logic import condition_value, rule_state
from .policy import Disposition, ScreeningRule, Unanswerable
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
    *,
    not_asked: set[str] | None = None,
) -> None:
    """Fired rules add their disposition; undetermined ones ask for the unknown answers.

    With ``not_asked`` (nobody can answer: see :func:`unanswerable_state`), a rule left
    undetermined only by unknown form answers does not ask for them: their names are
    added to ``not_asked`` and the work-up answers for them instead.
    """
    for rule in rules:
        state, unknown = rule_state(rule.when, rule.unless, facts)
        if state == "undetermined" and not_asked is not None and _answerable(unknown):
            not_asked.update(unknown)
            continue
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
    *,
    not_asked: set[str] | None = None,
) -> None:
    missing = [name for name in required if facts.get(name) is None]
    if not_asked is not None:  # nobody can answer them: the work-up stands in
        not_asked.update(missing)
        return
    for name in missing:
        text = f"Unanswered: '{describe_fact(name)}'. Every screening question needs a yes or no."
        tally.add(
            ScreeningReason("unanswered", text, f"required.{name}", source, "more_info_required"),
            [Action("answer_open_questions", actions["answer_open_questions"], "required_answers")],
        )


def _answerable(facts: Sequence[str]) -> bool:
    return bool(facts) and all(f in SCREENING_FACTS and f not in NOT_ANSWERED for f in facts)


def _all_hold(conditions: tuple[Condition, ...], facts: Mapping[str, Any]) -> bool:
    return all(condition_value(c, facts) is True for c in conditions)


def unanswerable_state(unanswerable: Unanswerable | None, facts: Mapping[str, Any]) -> bool:
    """Whether nobody can answer the questions (e.g. unreliable history and no proxy)."""
    return unanswerable is not None and _all_hold(unanswerable.when, facts)


def report_not_asked(
    tally: Tally,
    unanswerable: Unanswerable,
    not_asked: set[str],
    facts: Mapping[str, Any],
) -> None:
    """One reason for the answers nobody can give: held (more information required) until
    the work-up is complete and decided, then covered by it. Answers that were given
    (a known pacemaker) are evaluated as usual; only unknown ones are covered."""
    if not not_asked:
        return
    names = "; ".join(f"'{describe_fact(f)}'" for f in sorted(not_asked))
    if _all_hold(unanswerable.covered_when, facts):
        text = (
            f"Not known, and nobody can answer ({len(not_asked)}): {names}. Covered by the "
            "recorded work-up and the supervising radiologist's decision."
        )
        disposition: Disposition = "cleared"
        code = "unknown_answers_covered_by_workup"
    else:
        text = (
            f"Not asked, because nobody can answer ({len(not_asked)}): {names}. The work-up "
            "(scar examination, radiographs, the supervising radiologist's decision) stands "
            "in for these answers; until it is recorded the screening cannot finish."
        )
        disposition = "more_info_required"
        code = "unknown_answers_need_workup"
    tally.add(ScreeningReason(code, text, "unanswerable", unanswerable.source, disposition))
