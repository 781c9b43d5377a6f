"""Reading one field of JSON-like input: each problem is added with the field's path."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from ..errors import suggest
from .units import Quantity, UnitError, to_internal

Problem = dict[str, str]
MAX_TEXT = 500


def add_problem(problems: list[Problem], field: str, problem: str) -> None:
    problems.append({"field": field, "problem": problem})


def mapping(data: Any, field: str, problems: list[Problem]) -> Mapping[str, Any] | None:
    if not isinstance(data, Mapping):
        add_problem(problems, field, "must be an object")
        return None
    return data


def unknown_keys(
    data: Mapping[str, Any], known: Collection[str], field: str, problems: list[Problem]
) -> None:
    for key in data:
        if key not in known:
            hint = suggest(str(key), known)
            add_problem(
                problems,
                f"{field}.{key}",
                "unknown field" + (f" (did you mean '{hint}'?)" if hint else ""),
            )


def parse_date(value: Any, field: str, problems: list[Problem], today: date | None) -> date | None:
    if isinstance(value, date):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            add_problem(problems, field, "must be a date as YYYY-MM-DD")
            return None
    else:
        add_problem(problems, field, "must be a date as YYYY-MM-DD")
        return None
    if today is not None and parsed > today:
        add_problem(problems, field, "is in the future")
        return None
    return parsed


def parse_quantity(
    value: Any, quantity: Quantity, field: str, problems: list[Problem]
) -> float | None:
    """A number in the internal unit, or {"value": ..., "unit": ...}, converted to it."""
    unit: str | None = None
    if isinstance(value, Mapping):
        if set(value) != {"value", "unit"}:
            add_problem(problems, field, 'must be a number or {"value": ..., "unit": ...}')
            return None
        if not isinstance(value["unit"], str):
            add_problem(problems, f"{field}.unit", "must be a text unit such as 'T/m'")
            return None
        value, unit = value["value"], value["unit"]
    try:
        return to_internal(quantity, value, unit)
    except UnitError as exc:
        add_problem(problems, field, str(exc))
        return None


def choice(value: Any, allowed: Collection[str], field: str, problems: list[Problem]) -> str | None:
    if isinstance(value, str) and value in allowed:
        return value
    hint = suggest(str(value), allowed) if isinstance(value, str) else None
    text = f"unknown value '{value}' (use one of: {', '.join(allowed)})"
    add_problem(problems, field, text + (f" (did you mean '{hint}'?)" if hint else ""))
    return None


def choices(
    value: Any, allowed: Collection[str], field: str, problems: list[Problem]
) -> tuple[str, ...] | None:
    if not isinstance(value, list):
        add_problem(problems, field, "must be a list")
        return None
    found = [choice(item, allowed, f"{field}[{i}]", problems) for i, item in enumerate(value)]
    return None if any(item is None for item in found) else tuple(str(item) for item in found)


def text(value: Any, field: str, problems: list[Problem], *, required: bool = False) -> str | None:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        add_problem(problems, field, f"must be text of at most {MAX_TEXT} characters")
        return None
    if required and not value.strip():
        add_problem(problems, field, "is required")
        return None
    return value.strip()


def optional_bool(value: Any, field: str, problems: list[Problem]) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    add_problem(problems, field, "must be true, false or null (unknown)")
    return None
