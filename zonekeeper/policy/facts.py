"""The fact catalogue: every fact a rule may test, its type and its domain.

Facts come from the caller (the door service, the CLI, a test case) as a flat
mapping such as ``{"person.kind": "staff", "target_zone": "IV"}``. Some facts
are *derived* here from the given ones (the effective MR level from the trained
level and the training's age) so that every caller derives them the same way;
a caller may not supply a derived fact.

Unknown is never good news: a missing optional fact is ``None`` and the
operators treat ``None`` so that no grant condition can hold on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

FactType = Literal[
    "zone",
    "level",
    "designations",
    "person_kind",
    "screening_status",
    "badge_status",
    "bool",
    "days",
    "id",
]

SCREENING_STATUSES: tuple[str, ...] = (
    "cleared",
    "no_screen_exception",  # not screened: both physicians signed (ACR emergency exception)
    "not_cleared",
    "pending",
    "missing",
    "expired",
)
# what a scanned badge turned out to be (zonekeeper.badges.services.check_scanned_text)
BADGE_STATUSES: tuple[str, ...] = (
    "valid",
    "malformed",
    "invalid_credential",  # a character other than an ASCII letter or digit
    "out_of_range",  # a signed token whose badge id no badge row can have
    "forged",
    "unknown",
    "superseded",
    "revoked",
    "expired",
    "not_yet_valid",
)


@dataclass(frozen=True, slots=True)
class FactSpec:
    name: str
    type: FactType
    description: str
    required: bool = False
    derived: bool = False


FACTS: dict[str, FactSpec] = {
    spec.name: spec
    for spec in (
        FactSpec("target_zone", "zone", "The zone the person is entering.", required=True),
        FactSpec("person.id", "id", "Identifier of the person entering."),
        FactSpec("person.kind", "person_kind", "Staff, patient, visitor, ...", required=True),
        FactSpec("person.training_level", "level", "Level of the person's best training record."),
        FactSpec("person.training_age_days", "days", "Days since that training was completed."),
        FactSpec("person.screening_status", "screening_status", "The person's own screening."),
        FactSpec("person.designations", "designations", "MRSO, MRMD, MRSE, ... held."),
        FactSpec("person.level_2_authorized", "bool", "A Level 2 person authorized this entry."),
        FactSpec("escort.id", "id", "Identifier of the escort, if any."),
        FactSpec("escort.training_level", "level", "Level of the escort's best training record."),
        FactSpec("escort.training_age_days", "days", "Days since the escort's training."),
        FactSpec("escort.screening_status", "screening_status", "The escort's own screening."),
        FactSpec("badge.status", "badge_status", "The badge scanned at a door, if any."),
        FactSpec("site.emergency_mode", "bool", "The site has declared an emergency."),
        FactSpec("site.magnet_quenched", "bool", "The magnet has been quenched (field off)."),
        FactSpec("person.mr_level", "level", "Effective MR level (lapsed = Non-MR).", derived=True),
        FactSpec("person.training_current", "bool", "Training within the window.", derived=True),
        FactSpec("escort.present", "bool", "An escort was named for this entry.", derived=True),
        FactSpec("escort.mr_level", "level", "The escort's effective MR level.", derived=True),
        FactSpec("escort.is_self", "bool", "The escort is the person entering.", derived=True),
    )
}

ESCORT_INPUTS: tuple[str, ...] = tuple(
    name for name, spec in FACTS.items() if name.startswith("escort.") and not spec.derived
)
REQUIRED: tuple[FactSpec, ...] = tuple(spec for spec in FACTS.values() if spec.required)

LIST_TYPES: frozenset[FactType] = frozenset({"designations"})
ORDERED_TYPES: frozenset[FactType] = frozenset({"days"})
ENUMERATED_TYPES: tuple[FactType, ...] = (
    "zone",
    "designations",
    "level",
    "person_kind",
    "screening_status",
    "badge_status",
)


@dataclass(frozen=True, slots=True)
class Domains:
    """Allowed values of the enumerated fact types, taken from the policy files."""

    zones: tuple[str, ...]
    levels: tuple[str, ...]
    designations: tuple[str, ...]
    person_kinds: tuple[str, ...]
    # the enumerated types' values as sets, for the decision's quick checks
    allowed: dict[str, frozenset[str]] = field(
        default_factory=dict, init=False, compare=False, hash=False, repr=False
    )

    def __post_init__(self) -> None:
        sets = {
            fact_type: frozenset(values)
            for fact_type in ENUMERATED_TYPES
            if (values := self.values_for(fact_type)) is not None
        }
        object.__setattr__(self, "allowed", sets)

    def values_for(self, fact_type: FactType) -> tuple[str, ...] | None:
        return {
            "zone": self.zones,
            "level": self.levels,
            "designations": self.designations,
            "person_kind": self.person_kinds,
            "screening_status": SCREENING_STATUSES,
            "badge_status": BADGE_STATUSES,
        }.get(fact_type)


def check_value(spec: FactSpec, value: Any, domains: Domains) -> str | None:
    """Why ``value`` is not a valid value of ``spec``, or None if it is."""
    if value is None:
        return None
    if spec.type == "bool":
        return None if isinstance(value, bool) else "must be true or false"
    if spec.type == "days":
        if isinstance(value, bool) or not isinstance(value, int):
            return "must be a whole number of days"
        return None if value >= 0 else "must not be negative (a date in the future?)"
    if spec.type == "id":
        return (
            None
            if isinstance(value, str | int) and not isinstance(value, bool)
            else "must be an id"
        )
    allowed = domains.values_for(spec.type)
    assert allowed is not None
    items = value if spec.type in LIST_TYPES else [value]
    if spec.type in LIST_TYPES and not isinstance(value, list):
        return "must be a list"
    for item in items:
        if item not in allowed:
            return f"unknown value '{item}' (allowed: {', '.join(allowed)})"
    return None


def effective_level(
    trained_level: str | None, age_days: int | None, validity_days: int, lowest_level: str
) -> str:
    """The MR level a person holds today: training older than the window lapses.

    Training completed ``validity_days`` days ago is still current; one day more
    and the person is Non-MR. An unknown training date counts as lapsed.
    """
    if trained_level is None or age_days is None or age_days > validity_days:
        return lowest_level
    return trained_level


_EMPTY_FACTS: dict[str, Any] = dict.fromkeys(FACTS)
_INPUT_TYPES: dict[str, FactType] = {n: spec.type for n, spec in FACTS.items() if not spec.derived}


def _plainly_valid(fact_type: FactType, value: Any, domains: Domains) -> bool:
    """A quick yes for the common valid values; a no sends the value to check_value,
    which says what is wrong (or finds it valid after all)."""
    if value is None:
        return True
    if fact_type == "bool":
        return value is True or value is False
    if fact_type == "id":
        return type(value) is int or type(value) is str
    if fact_type == "days":
        return type(value) is int and value >= 0
    allowed = domains.allowed.get(fact_type)
    if allowed is None:
        return False
    if fact_type in LIST_TYPES:
        return type(value) is list and all(type(v) is str and v in allowed for v in value)
    return type(value) is str and value in allowed


def prepare_facts(
    given: Mapping[str, Any], domains: Domains, validity_days: int, lowest_level: str
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Validate the given facts and add the derived ones.

    Returns the full fact mapping and a list of ``(fact, problem)`` pairs; any
    problem means the decision must be a deny.
    """
    problems: list[tuple[str, str]] = []
    facts = _EMPTY_FACTS.copy()
    for name, value in given.items():
        fact_type = _INPUT_TYPES.get(name)
        if fact_type is None:
            derived = name in FACTS
            problems.append(
                (
                    name,
                    "is derived by the engine and may not be supplied"
                    if derived
                    else "unknown fact",
                )
            )
            continue
        if not _plainly_valid(fact_type, value, domains):
            spec = FACTS[name]
            problem = check_value(spec, value, domains)
            if problem:
                problems.append((name, problem))
                continue
        facts[name] = value
    for spec in REQUIRED:
        if facts[spec.name] is None and all(name != spec.name for name, _ in problems):
            problems.append((spec.name, "is required"))

    facts["person.mr_level"] = effective_level(
        facts["person.training_level"],
        facts["person.training_age_days"],
        validity_days,
        lowest_level,
    )
    facts["person.training_current"] = facts["person.mr_level"] != lowest_level
    escort_given = any(facts[name] is not None for name in ESCORT_INPUTS)
    facts["escort.present"] = escort_given
    facts["escort.mr_level"] = (
        effective_level(
            facts["escort.training_level"],
            facts["escort.training_age_days"],
            validity_days,
            lowest_level,
        )
        if escort_given
        else None
    )
    person_id, escort_id = facts["person.id"], facts["escort.id"]
    # unknown unless both ids are known: never "certainly not self" on missing data
    facts["escort.is_self"] = (
        None if person_id is None or escort_id is None else str(person_id) == str(escort_id)
    )
    if facts["person.designations"] is None:
        facts["person.designations"] = []
    return facts, problems
