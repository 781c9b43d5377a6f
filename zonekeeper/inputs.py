"""Text from a request, cleaned once where it enters: the request itself.

NUL and the other C0 control characters (and DEL) have no place in anything a
person types here. PostgreSQL refuses NUL in text (psycopg DataError) while
SQLite stores it, so the two backends would disagree; a lone UTF-16 surrogate
(JSON ``"\\ud800"``) cannot be encoded for either. Tab, CR and LF are kept:
multi-line fields need them and single-line fields store them harmlessly.

The cleaning happens at one boundary, for every view:

* query strings and form fields: the request's parameter storage class;
* path parameters: a URL value preprocessor;
* JSON bodies: ``load_json_text`` (used by the JSON API and the CLI).

Files (the roster CSV) are not touched here: their reader refuses bad text
with the line number, since silently changing an import is worse.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from typing import Any

from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import DecimalField

from .policy.numbers import finite_float

log = logging.getLogger(__name__)

UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` without control characters (tab, CR and LF kept) or lone surrogates."""
    return UNWANTED.sub("", text)


def has_unwanted(text: str) -> bool:
    return UNWANTED.search(text) is not None


def _clean(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


class CleanParameters(ImmutableMultiDict):  # type: ignore[type-arg]
    """Query-string and form parameters with control characters removed (files untouched)."""

    def __init__(self, mapping: Any = None) -> None:
        if isinstance(mapping, Iterable) and not isinstance(mapping, dict | ImmutableMultiDict):
            pairs = list(mapping)
            cleaned = [(_clean(key), _clean(value)) for key, value in pairs]
            changed = sorted(
                {str(new[0])[:40] for new, old in zip(cleaned, pairs, strict=True) if new != old}
            )
            if changed:  # the names only: values may be PHI
                log.info("removed control characters from parameter(s) %s", ", ".join(changed))
            mapping = cleaned
        super().__init__(mapping)


class CleanRequest(Request):
    parameter_storage_class = CleanParameters


def clean_json(value: Any) -> Any:
    """Every string (keys included) of a parsed JSON value cleaned; no recursion, so any
    depth the parser accepted is fine."""
    root: list[Any] = [value]
    stack: list[tuple[Any, Any]] = [(root, 0)]
    while stack:
        container, key = stack.pop()
        item = container[key]
        if isinstance(item, str):
            container[key] = clean_text(item)
        elif isinstance(item, list):
            stack.extend((item, index) for index in range(len(item)))
        elif isinstance(item, dict):
            if any(isinstance(k, str) and has_unwanted(k) for k in item):
                cleaned = {_clean(k): v for k, v in item.items()}
                item.clear()
                item.update(cleaned)
            stack.extend((item, k) for k in item)
    return root[0]


def load_json_text(raw: str | bytes) -> Any:
    """JSON text parsed and cleaned. Raises ValueError (UnicodeDecodeError is one) or
    RecursionError for text that is not JSON or nested too deeply."""
    return clean_json(json.loads(raw))


MAX_DATABASE_ID = 2**31 - 1  # ids beyond 32 bits: no such row (SQLite cannot even bind 2**63)


def database_id(text: str) -> int:
    """A row id from a query string, as the URL converter takes it; ValueError otherwise
    (``request.args.get(name, type=database_id)`` then gives None)."""
    value = int(text)
    if not 0 < value <= MAX_DATABASE_ID:
        raise ValueError(f"not a row id: {text[:20]}")
    return value


NOT_FINITE = "Give a number: NaN and infinity are not accepted."


class FiniteDecimalField(DecimalField):
    """A DecimalField that refuses NaN, sNaN and infinities (``Decimal`` parses them, and
    ``float(Decimal('sNaN'))`` raises, in range validators too), and values too large
    for a float. Every decimal form field is one of these."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and finite_float(self.data) is None:
            self.data = None
            raise ValueError(NOT_FINITE)


def init_input_filter(app: Flask) -> None:
    app.request_class = CleanRequest

    @app.url_value_preprocessor
    def clean_path_parameters(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if values:
            for name, value in values.items():
                values[name] = _clean(value)
