"""Operators for rule conditions, and conditions compiled for fast evaluation.

``None`` (unknown) never satisfies a positive test: ``eq``, ``in``, the
comparisons and ``contains`` are false on it, while their negations are true.
So a grant can never rest on an unknown, and a deny written as "status is not
cleared" fires when the status is unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import PolicyIssue, suggest

Test = Callable[[Any, Any], bool]


def _eq(actual: Any, expected: Any) -> bool:
    return actual is not None and actual == expected


def _ne(actual: Any, expected: Any) -> bool:
    return not _eq(actual, expected)


def _in(actual: Any, expected: Any) -> bool:
    return actual is not None and actual in expected


def _not_in(actual: Any, expected: Any) -> bool:
    return not _in(actual, expected)


def _contains(actual: Any, expected: Any) -> bool:
    return actual is not None and expected in actual


def _not_contains(actual: Any, expected: Any) -> bool:
    return not _contains(actual, expected)


def _lt(actual: Any, expected: Any) -> bool:
    return actual is not None and bool(actual < expected)


def _le(actual: Any, expected: Any) -> bool:
    return actual is not None and bool(actual <= expected)


def _gt(actual: Any, expected: Any) -> bool:
    return actual is not None and bool(actual > expected)


def _ge(actual: Any, expected: Any) -> bool:
    return actual is not None and bool(actual >= expected)


def _is_null(actual: Any, _expected: Any) -> bool:
    return actual is None


def _not_null(actual: Any, _expected: Any) -> bool:
    return actual is not None


@dataclass(frozen=True, slots=True)
class Operator:
    name: str
    test: Test
    takes: str  # "scalar", "list", "number", "none", "member"


OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in (
        Operator("eq", _eq, "scalar"),
        Operator("ne", _ne, "scalar"),
        Operator("in", _in, "list"),
        Operator("not_in", _not_in, "list"),
        Operator("contains", _contains, "member"),
        Operator("not_contains", _not_contains, "member"),
        Operator("lt", _lt, "number"),
        Operator("le", _le, "number"),
        Operator("gt", _gt, "number"),
        Operator("ge", _ge, "number"),
        Operator("is_null", _is_null, "none"),
        Operator("not_null", _not_null, "none"),
    )
}


@dataclass(frozen=True, slots=True)
class Condition:
    fact: str
    op: str
    value: Any
    test: Test

    def holds(self, facts: dict[str, Any]) -> bool:
        return self.test(facts[self.fact], self.value)


def unknown_operator(op: str, file_name: str, where: str) -> PolicyIssue | None:
    """The issue for a condition's operator that is not one of OPERATORS, or None."""
    if op in OPERATORS:
        return None
    return PolicyIssue(file_name, f"{where}.op", f"unknown operator '{op}'", suggest(op, OPERATORS))
