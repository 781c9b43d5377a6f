"""Loaded questionnaires: one per (form id, version), with its definition hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from .definition import FormDefinition, QuestionDefinition


def definition_hash(definition: FormDefinition) -> str:
    """sha256 of the form's canonical content (comments, key order, defaults ignored).

    Stored with every screening: a changed question text, option or fact gives
    a different hash even if somebody forgot to raise the version number.
    """
    canonical = json.dumps(
        definition.model_dump(mode="json", by_alias=True),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Questionnaire:
    """One version of one form, validated, with its questions in order."""

    definition: FormDefinition
    definition_hash: str
    file: str
    current: bool  # False for a version kept under archive/ to read old screenings
    questions: Mapping[str, QuestionDefinition] = field(repr=False)

    @classmethod
    def from_definition(
        cls, definition: FormDefinition, file: str, *, current: bool = True
    ) -> Questionnaire:
        return cls(
            definition=definition,
            definition_hash=definition_hash(definition),
            file=file,
            current=current,
            questions={q.id: q for q in definition.questions()},
        )

    @property
    def id(self) -> str:
        return self.definition.id

    @property
    def version(self) -> int:
        return self.definition.version

    @property
    def key(self) -> tuple[str, int]:
        return (self.definition.id, self.definition.version)

    @property
    def title(self) -> str:
        return self.definition.title

    def facts_set(self) -> dict[str, str]:
        """Each screening fact this form sets, with the question that sets it."""
        return {fact: q.id for q in self.questions.values() for fact in q.sets}


@dataclass(frozen=True, slots=True)
class FormRegistry:
    """Every loaded questionnaire, by (form id, version)."""

    directory: str
    forms: Mapping[tuple[str, int], Questionnaire]

    def get(self, form_id: str, version: int) -> Questionnaire:
        """The given version (current or archived): for reading a saved screening."""
        try:
            return self.forms[(form_id, version)]
        except KeyError:
            raise KeyError(f"no questionnaire '{form_id}' version {version}") from None

    def current(self, form_id: str) -> Questionnaire:
        """The version a new screening uses."""
        for form in self.forms.values():
            if form.id == form_id and form.current:
                return form
        raise KeyError(f"no current questionnaire '{form_id}'")

    def form_ids(self) -> list[str]:
        return sorted({form_id for form_id, _ in self.forms})

    def versions(self, form_id: str) -> list[int]:
        return sorted(version for fid, version in self.forms if fid == form_id)

    def __iter__(self) -> Iterator[Questionnaire]:
        return iter(self.forms[key] for key in sorted(self.forms))

    def __len__(self) -> int:
        return len(self.forms)
