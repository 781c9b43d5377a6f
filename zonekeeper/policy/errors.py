"""Errors raised while loading policy files.

A rule file that does not validate must never be half-loaded: the loader
collects every problem it finds and raises one :class:`PolicyError` naming the
file, the path inside it, what is wrong and, where it can, what was meant.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PolicyIssue:
    file: str
    path: str
    message: str
    suggestion: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        hint = f" (did you mean '{self.suggestion}'?)" if self.suggestion else ""
        return f"{where}: {self.message}{hint}"


class PolicyError(Exception):
    """One or more policy files are invalid; ``issues`` lists every problem."""

    def __init__(self, issues: Iterable[PolicyIssue]):
        self.issues: tuple[PolicyIssue, ...] = tuple(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The closest known name to a misspelt one, or None if nothing is close."""
    matches = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None
