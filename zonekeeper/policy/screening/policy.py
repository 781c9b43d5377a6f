"""The compiled screening and contrast policy (from rules/screening.yaml, rules/contrast.yaml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..conditions import Condition
from .agents import ContrastAgent, resolve_agent

Disposition = Literal["cleared", "conditional", "more_info_required", "not_cleared"]
DISPOSITIONS: tuple[Disposition, ...] = (
    "cleared",
    "conditional",
    "more_info_required",
    "not_cleared",
)  # least to most severe: the worst wins
SEVERITY: dict[str, int] = {name: rank for rank, name in enumerate(DISPOSITIONS)}
CONTRAST_DISPOSITIONS: tuple[str, ...] = ("cleared", "more_info_required", "not_cleared")


def worst(*dispositions: Disposition) -> Disposition:
    return max(dispositions, key=SEVERITY.__getitem__, default="cleared")


@dataclass(frozen=True, slots=True)
class ScreeningRule:
    id: str
    disposition: Disposition
    code: str
    text: str
    source: str
    actions: tuple[str, ...]
    constraints: tuple[tuple[str, str], ...]  # (id, text)
    when: tuple[Condition, ...]
    unless: tuple[Condition, ...]
    file: str


@dataclass(frozen=True, slots=True)
class ImplantCheck:
    check: str
    disposition: Disposition
    code: str
    text: str  # a format string; its fields are listed in IMPLANT_CHECKS
    source: str
    actions: tuple[str, ...]
    unless: tuple[Condition, ...]  # the check does not apply when all of these hold
    file: str


# every built-in check: the fields its text may use (each must be configured in screening.yaml)
IMPLANT_CHECKS: dict[str, tuple[str, ...]] = {
    "device_without_implant": ("question",),
    "implant_contradicts_answer": ("implant", "question"),
    "unknown_class": ("implant",),
    "mr_unsafe": ("implant",),
    "no_mri_information": ("implant",),
    "mr_conditional": ("implant",),
    "label_incomplete": ("implant", "missing"),
    "incomplete_system": ("implant",),
    "abandoned_components": ("implant",),
    "system_configuration_unknown": ("implant", "missing"),
    "waiting_period_not_met": ("implant", "waiting_days", "days_left"),
    "implant_date_unknown": ("implant", "waiting_days"),
    "body_region_excluded": ("implant", "region"),
    "transmit_coil_not_allowed": ("implant", "coil", "allowed"),
    "field_strength_not_allowed": ("implant", "scanner", "scanner_field", "allowed"),
    # the spatial field gradient at the implant's position (gradient.py)
    "spatial_gradient_exceeded": (
        "implant",
        "scanner",
        "scanner_gradient",
        "label_gradient",
        "table_gradient",
    ),
    "spatial_gradient_unconfirmed": (
        "implant",
        "scanner",
        "scanner_gradient",
        "label_gradient",
        "why",
    ),
    "spatial_gradient_met_at_position": (
        "implant",
        "scanner",
        "label_gradient",
        "table_gradient",
        "within_cm",
        "distance_cm",
    ),
    "spatial_gradient_signed_off": (
        "implant",
        "scanner",
        "label_gradient",
        "signed_gradient",
        "position",
        "signoff_source",
    ),
    "spatial_gradient_signed_above": (
        "implant",
        "scanner",
        "label_gradient",
        "signed_gradient",
        "position",
        "signoff_source",
    ),
    "operating_mode_unavailable": ("implant", "scanner", "mode"),
    "operating_mode_not_allowed": ("implant", "mode", "planned_mode"),
    "transmit_coil_unavailable": ("implant", "scanner", "allowed"),
    "slew_rate_above_label": ("implant", "scanner", "scanner_slew", "label_slew"),
}


@dataclass(frozen=True, slots=True)
class ScreeningPolicy:
    required_answers: tuple[str, ...]
    required_answers_source: str
    system_categories: frozenset[str]
    program_device_categories: frozenset[str]
    rules: tuple[ScreeningRule, ...]
    implant_checks: dict[str, ImplantCheck]
    actions: dict[str, str]  # code -> text, with the contrast file's actions
    file: str
    # action code -> who decides (a named physician), for "Waiting for a physician"
    action_deciders: dict[str, str] = field(default_factory=dict)
    unanswerable: Unanswerable | None = None
    # exam landmark -> implant body region -> estimated cm from isocentre (a site estimate)
    implant_distances: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Unanswerable:
    """screening.yaml ``unanswerable``: nobody can answer (unreliable history, no proxy)."""

    when: tuple[Condition, ...]
    covered_when: tuple[Condition, ...]
    source: str


@dataclass(frozen=True, slots=True)
class ContrastGroup:
    id: str
    name: str
    source: str


@dataclass(frozen=True, slots=True)
class ContrastPolicy:
    groups: tuple[ContrastGroup, ...]
    agents: tuple[ContrastAgent, ...]
    rules: tuple[ScreeningRule, ...]
    agent_index: dict[str, ContrastAgent]  # agent_key(any spelling) -> agent
    file: str

    def resolve(self, name: str) -> ContrastAgent | None:
        """The agent named by any spelling (brand, generic, short form), None if unknown."""
        return resolve_agent(self.agent_index, name)

    def find_agent(self, name: str) -> tuple[str, str] | None:
        """(group id, generic name) of the agent named by any spelling."""
        agent = self.resolve(name)
        return (agent.group, agent.generic) if agent is not None else None
