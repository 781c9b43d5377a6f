"""The shape of the policy files (pydantic), checked before their meaning.

Names that must match the catalogue (facts, operators, zones, levels) are kept
as plain strings here so that the loader can check them afterwards and offer a
"did you mean" suggestion instead of a bare enum error.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

IDENTIFIER = r"^[a-z][a-z0-9_\-]*$"
CODE = r"^[a-z][a-z0-9_]*$"


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ZoneSpec(StrictModel):
    id: str = Field(pattern=r"^[IV]+$")
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    restricted: bool
    source: str = Field(min_length=1)


class ZonesFile(StrictModel):
    kind: Literal["zones"]
    zones: list[ZoneSpec] = Field(min_length=1)


class LevelSpec(StrictModel):
    id: str = Field(pattern=CODE)
    name: str = Field(min_length=1)
    rank: int = Field(ge=0)
    description: str = ""
    badge_colour: str = Field(default="#6b7280", pattern=r"^#[0-9a-fA-F]{6}$")
    source: str = Field(min_length=1)


class DesignationSpec(StrictModel):
    id: str = Field(pattern=CODE)
    name: str = Field(min_length=1)
    description: str = ""
    requires_level: str
    source: str = Field(min_length=1)


class PersonKindSpec(StrictModel):
    id: str = Field(pattern=CODE)
    name: str = Field(min_length=1)


class PersonnelFile(StrictModel):
    kind: Literal["personnel"]
    training_validity_days: int = Field(ge=1, le=3650)
    training_validity_source: str = Field(min_length=1)
    levels: list[LevelSpec] = Field(min_length=1)
    designations: list[DesignationSpec]
    person_kinds: list[PersonKindSpec] = Field(min_length=1)


class ConditionSpec(StrictModel):
    fact: str
    op: str
    value: Any = None


class RuleSpec(StrictModel):
    id: str = Field(pattern=IDENTIFIER)
    effect: Literal["grant", "grant_with_escort", "deny"]
    code: str = Field(pattern=CODE)
    # what the door and the kiosk show the person at the door: short and plain (never the
    # author's ``text``, which may hold notes for whoever maintains the rules)
    display: str = Field(min_length=1, max_length=160)
    text: str = Field(min_length=1)
    source: str = Field(min_length=1)
    when: list[ConditionSpec] = Field(min_length=1)
    unless: list[ConditionSpec] = Field(default_factory=list)


class AccessFile(StrictModel):
    kind: Literal["access"]
    rules: list[RuleSpec] = Field(min_length=1)


Frequency = Literal["daily", "weekly", "monthly"]
Severity = Literal["low", "medium", "high", "critical"]


class ChecklistItemSpec(StrictModel):
    id: str = Field(pattern=IDENTIFIER)
    text: str = Field(min_length=1)
    frequency: Frequency
    severity: Severity


class AppliesTo(StrictModel):
    zone: str | None = None
    scanner_rooms: bool = False


class ChecklistSpec(StrictModel):
    id: str = Field(pattern=IDENTIFIER)
    name: str = Field(min_length=1)
    applies_to: AppliesTo
    source: str = Field(min_length=1)
    items: list[ChecklistItemSpec] = Field(min_length=1)


class AuditsFile(StrictModel):
    kind: Literal["audits"]
    action_due_days: dict[Severity, int]
    action_due_source: str = Field(min_length=1)
    incident_report_hours: int = Field(ge=1, le=720)
    incident_report_source: str = Field(min_length=1)
    medwatch_due_days: int = Field(ge=1, le=60)
    medwatch_source: str = Field(min_length=1)
    checklists: list[ChecklistSpec] = Field(min_length=1)


Disposition = Literal["cleared", "conditional", "more_info_required", "not_cleared"]


class ActionSpec(StrictModel):
    code: str = Field(pattern=CODE)
    text: str = Field(min_length=1)
    # who decides, when a named physician must (e.g. "radiologist, with the referring
    # physician"): the page shows "Waiting for a physician: <decided_by> — <text>"
    decided_by: str | None = Field(default=None, min_length=1, max_length=80)


class ConstraintTextSpec(StrictModel):
    id: str = Field(pattern=IDENTIFIER)
    text: str = Field(min_length=1)


class ScreeningRuleSpec(StrictModel):
    """A rule over screening facts; the worst disposition of the fired rules wins."""

    id: str = Field(pattern=IDENTIFIER)
    disposition: Disposition
    code: str = Field(pattern=CODE)
    text: str = Field(min_length=1)
    source: str = Field(min_length=1)
    actions: list[str] = Field(default_factory=list)
    constraints: list[ConstraintTextSpec] = Field(default_factory=list)
    when: list[ConditionSpec] = Field(min_length=1)
    unless: list[ConditionSpec] = Field(default_factory=list)


class ImplantCheckSpec(StrictModel):
    """What one built-in label-versus-scanner check leads to (its logic is Python)."""

    check: str
    disposition: Disposition
    code: str = Field(pattern=CODE)
    text: str = Field(min_length=1)
    source: str = Field(min_length=1)
    actions: list[str] = Field(default_factory=list)
    unless: list[ConditionSpec] = Field(default_factory=list)  # e.g. an MRMD decision


class ImplantDistanceSpec(StrictModel):
    """For one exam landmark: the site's estimate of each body region's distance (cm) from
    isocentre, used to place an implant in the scanner's spatial gradient table."""

    landmark: str  # an exam body region (checked against the catalogue at compile)
    distances_cm: dict[str, float] = Field(min_length=1)  # implant body region -> cm
    source: str = Field(min_length=1)


class UnanswerableSpec(StrictModel):
    """When nobody can answer the questions (unreliable history, no knowledgeable proxy):
    unknown answers are not asked; the work-up rules hold the outcome instead, and once
    every ``covered_when`` condition holds the unknown answers are covered by the work-up."""

    when: list[ConditionSpec] = Field(min_length=1)
    covered_when: list[ConditionSpec] = Field(min_length=1)
    source: str = Field(min_length=1)


class ScreeningFile(StrictModel):
    kind: Literal["screening"]
    required_answers: list[str] = Field(min_length=1)
    required_answers_source: str = Field(min_length=1)
    unanswerable: UnanswerableSpec | None = None
    system_categories: list[str]
    program_device_categories: list[str]
    actions: list[ActionSpec] = Field(min_length=1)
    implant_checks: list[ImplantCheckSpec] = Field(min_length=1)
    implant_distances: list[ImplantDistanceSpec] = Field(default_factory=list)
    rules: list[ScreeningRuleSpec] = Field(min_length=1)


class ContrastGroupSpec(StrictModel):
    id: str = Field(pattern=r"^[IV]+$")
    name: str = Field(min_length=1)
    source: str = Field(min_length=1)


class ContrastAgentSpec(StrictModel):
    """One agent of the catalogue: every spelling a technologist may type resolves to it."""

    id: str = Field(pattern=IDENTIFIER)
    generic: str = Field(min_length=1)  # "gadoterate meglumine": the canonical name stored
    brands: list[str] = Field(default_factory=list)  # "Dotarem", "Clariscan"
    aliases: list[str] = Field(default_factory=list)  # short forms: "gadoterate", "Gd-DOTA"
    group: str  # an id of `groups` (checked at load, with a "did you mean")
    source: str = Field(min_length=1)


class ContrastFile(StrictModel):
    kind: Literal["contrast"]
    groups: list[ContrastGroupSpec] = Field(min_length=1)
    agents: list[ContrastAgentSpec] = Field(min_length=1)
    actions: list[ActionSpec] = Field(default_factory=list)
    rules: list[ScreeningRuleSpec] = Field(min_length=1)


class StepSpec(StrictModel):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)  # "record the final check (full stop)"
    roles: list[str] = Field(min_length=1)
    # the lowest current training level (None: no training needed, e.g. a typist)
    min_level: str | None = None
    # at least one of these designations, held today (each requires current Level 2)
    designations: list[str] = Field(default_factory=list)
    # never the same person who took this earlier step (e.g. the verbal review)
    not_same_person_as: str | None = None
    source: str = Field(min_length=1)


class StepsFile(StrictModel):
    kind: Literal["screening_steps"]
    steps: list[StepSpec] = Field(min_length=1)


FILE_KINDS: dict[str, type[StrictModel]] = {
    "zones": ZonesFile,
    "personnel": PersonnelFile,
    "access": AccessFile,
    "audits": AuditsFile,
    "screening": ScreeningFile,
    "contrast": ContrastFile,
    "screening_steps": StepsFile,
}
