"""Rules over screening facts, evaluated in three-valued logic (fail closed).

A positive test (eq, in, lt, ...) on an unknown fact is *unknown*, not false:
a rule whose ``when`` is unknown is *undetermined* and the evaluation asks for
the missing answer instead of passing over it. Negated tests (ne, not_in) are
true on an unknown, as in the access engine. An ``unless`` exemption holds only
when every one of its conditions is known to hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from ..conditions import Condition

RuleState = Literal["fired", "undetermined", "quiet"]

UNKNOWN_ON_NONE: frozenset[str] = frozenset({"eq", "in", "contains", "lt", "le", "gt", "ge"})


def condition_value(condition: Condition, facts: Mapping[str, Any]) -> bool | None:
    actual = facts.get(condition.fact)
    if actual is None and condition.op in UNKNOWN_ON_NONE:
        return None
    return condition.test(actual, condition.value)


def rule_state(
    when: tuple[Condition, ...], unless: tuple[Condition, ...], facts: Mapping[str, Any]
) -> tuple[RuleState, tuple[str, ...]]:
    """Whether a rule fires, and the unknown facts that leave it undetermined."""
    unknown: list[str] = []
    for condition in when:
        value = condition_value(condition, facts)
        if value is False:
            return "quiet", ()
        if value is None:
            unknown.append(condition.fact)
    if unless and all(condition_value(c, facts) is True for c in unless):
        return "quiet", ()
    return ("undetermined", tuple(unknown)) if unknown else ("fired", ())
