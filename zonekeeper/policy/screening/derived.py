"""Facts the evaluation derives from the exam, the contrast policy and the date.

Rules may test these beside the answered facts of ``facts.py``; a caller may
not supply them. ``contrast.group`` takes its values from rules/contrast.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from .exam import BODY_REGIONS, SETTINGS, ExamSpec
from .facts import NOT_ANSWERED, SCREENING_FACTS

FactKind = Literal["answer", "number", "date", "choice"]


@dataclass(frozen=True, slots=True)
class DerivedFactSpec:
    name: str
    type: FactKind
    description: str
    choices: tuple[str, ...] = ()  # for "choice"; empty for contrast.group (from the policy)


DERIVED_FACTS: dict[str, DerivedFactSpec] = {
    spec.name: spec
    for spec in (
        DerivedFactSpec("exam.setting", "choice", "Inpatient or outpatient.", SETTINGS),
        DerivedFactSpec("exam.body_region", "choice", "The region scanned.", BODY_REGIONS),
        DerivedFactSpec("exam.contrast_planned", "answer", "A contrast agent is planned."),
        DerivedFactSpec("contrast.group", "choice", "ACR group of the planned agent."),
        DerivedFactSpec("kidney.egfr_age_days", "number", "Days since the eGFR result."),
    )
}


def fact_kind(name: str) -> FactKind | None:
    """The type of a screening fact (answered or derived), None if there is no such fact."""
    answered = SCREENING_FACTS.get(name)
    if answered is not None:
        return answered.type
    derived = DERIVED_FACTS.get(name)
    return derived.type if derived is not None else None


def known_fact_names() -> tuple[str, ...]:
    return (*SCREENING_FACTS, *DERIVED_FACTS)


def derive_facts(
    answered: dict[str, Any], exam: ExamSpec, contrast_group: str | None, today: date
) -> dict[str, Any]:
    """The answered facts plus the derived ones (a new mapping)."""
    facts = dict(answered)
    for name in NOT_ANSWERED:  # a sign-off or work-up step not recorded has not been done
        if facts.get(name) is None:
            facts[name] = False
    facts["exam.setting"] = exam.setting
    facts["exam.body_region"] = exam.body_region
    facts["exam.contrast_planned"] = exam.contrast_agent is not None
    facts["contrast.group"] = contrast_group
    egfr_date = answered.get("kidney.egfr_date")
    # a result dated in the future is not a usable result: its age stays unknown
    age = (today - egfr_date).days if isinstance(egfr_date, date) else None
    facts["kidney.egfr_age_days"] = age if age is not None and age >= 0 else None
    return facts
