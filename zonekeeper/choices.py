"""Select options for WTForms (3.3+ takes SelectChoice objects, not tuples)."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def options(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    return [SelectChoice(str(value), label) for value, label in pairs]
