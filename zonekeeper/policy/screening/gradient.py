"""The spatial field gradient at the implant's position, on one scanner (fail closed).

A label's maximum spatial field gradient is usually below a clinical scanner's worst
case (at the bore entrance), so the worst case alone would block nearly every MR
Conditional implant. MR Safety Experts look where the implant will be instead:

- the scanner's gradient table (``ScannerSpec.spatial_gradient_map``, from the vendor's
  MR safety documentation) says the gradient is at most G within N cm of isocentre;
- the implant's distance from isocentre is estimated from its body region and the exam's
  landmark (``implant_distances`` in rules/screening.yaml: a site estimate);
- or an MRSE / Level 2 MR physician signs off the gradient at the implant's position
  (a :class:`GradientAssessment`, recorded by the workflow).

A signed value wins over the table (above the limit: not cleared); a table whose every
row exceeds the limit is not cleared; anything else that is not shown to meet the limit
(no table, an implant that cannot be placed, a position beyond the rows that meet it) is
``more_info_required``. What each outcome leads to is configured under ``implant_checks``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .decision import Constraint
from .exam import BODY_LOCATIONS, ExamSpec, GradientZone, ScannerSpec
from .implant_check import report
from .implants import ImplantDeclaration
from .policy import ScreeningPolicy
from .tally import Tally

# 720 G/cm read as 7.2 T/m is 7.199999999999999: equal within this is equal
GRADIENT_TOLERANCE_T_PER_M = 1e-9


@dataclass(frozen=True, slots=True)
class GradientAssessment:
    """An MRSE's or Level 2 MR physician's value of the spatial field gradient at one
    implant's position on one scanner (a valid sign-off of the screening)."""

    implant_index: int
    scanner_name: str
    value_t_per_m: float
    position: str  # "40 cm from isocentre"
    source: str  # "vendor MR safety manual rev X, p. 12"


def at_most(value: float, limit: float) -> bool:
    return value <= limit + GRADIENT_TOLERANCE_T_PER_M


def _n(value: float) -> str:
    return f"{value:g}"


def gradient_text(t_per_m: float) -> str:
    return f"{_n(t_per_m)} T/m ({_n(round(t_per_m * 100, 6))} G/cm)"


def implant_location(implant: ImplantDeclaration) -> str | None:
    """The body region the implant is in, read from ``body_location`` (None: cannot be
    placed). "Chest", "cervical spine" and "cervical_spine" all read as a region."""
    key = "_".join(implant.body_location.strip().lower().replace("-", " ").split())
    return key if key in BODY_LOCATIONS else None


def implant_distance_cm(
    policy: ScreeningPolicy, implant: ImplantDeclaration, exam: ExamSpec
) -> tuple[float | None, str]:
    """The site's estimate of the implant's distance from isocentre, or None and why not."""
    location = implant_location(implant)
    if location is None:
        stated = implant.body_location.strip()
        if not stated:
            return None, "its body location is not recorded"
        return None, f"its body location '{stated}' is not one of the body regions"
    landmark = exam.body_region.replace("_", " ")
    row = policy.implant_distances.get(exam.body_region)
    if row is None:
        return None, f"the site's distance table has no {landmark} landmark"
    distance = row.get(location)
    if distance is None:
        region = location.replace("_", " ")
        return None, f"the site's distance table does not place the {region} for a {landmark} exam"
    return distance, ""


def _assessments_for(
    assessments: Sequence[GradientAssessment], index: int, scanner: ScannerSpec
) -> list[GradientAssessment]:
    return [a for a in assessments if a.implant_index == index and a.scanner_name == scanner.name]


def check_gradient(
    tally: Tally,
    policy: ScreeningPolicy,
    facts: Mapping[str, Any],
    index: int,
    implant: ImplantDeclaration,
    scanner: ScannerSpec,
    exam: ExamSpec,
    assessments: Sequence[GradientAssessment],
) -> None:
    """One MR Conditional implant's gradient limit against one scanner."""
    limit = implant.max_spatial_gradient_t_per_m
    worst_case = scanner.spatial_field_gradient_t_per_m
    if limit is None or at_most(worst_case, limit):
        return  # no limit stated (label_incomplete asks for it) or met everywhere
    name, where = implant.name, f"implants[{index}]"
    fields = {"implant": name, "scanner": scanner.name, "label_gradient": gradient_text(limit)}
    signed = _assessments_for(assessments, index, scanner)
    if signed:
        # the highest signed value decides: two sign-offs that disagree never clear
        highest = max(signed, key=lambda a: a.value_t_per_m)
        signed_fields = {
            **fields,
            "signed_gradient": gradient_text(highest.value_t_per_m),
            "position": highest.position,
            "signoff_source": highest.source,
        }
        if not at_most(highest.value_t_per_m, limit):
            report(tally, policy, facts, "spatial_gradient_signed_above", index, **signed_fields)
            return
        report(tally, policy, facts, "spatial_gradient_signed_off", index, **signed_fields)
        text = (
            f"{name}: spatial gradient at its position ≤ {_n(highest.value_t_per_m)} T/m "
            f"({highest.position}; signed off on {scanner.name}, {highest.source})"
        )
        tally.constraints.append(Constraint(f"{where}.spatial-gradient", text, where, name))
        return
    rows = scanner.spatial_gradient_map
    worst_fields = {**fields, "scanner_gradient": gradient_text(worst_case)}
    if rows and not any(at_most(row.max_t_per_m, limit) for row in rows):
        lowest = min(row.max_t_per_m for row in rows)
        report(
            tally,
            policy,
            facts,
            "spatial_gradient_exceeded",
            index,
            **worst_fields,
            table_gradient=gradient_text(lowest),
        )
        return
    if not rows:
        why = f"no spatial gradient table is entered for {scanner.name}"
        report(tally, policy, facts, "spatial_gradient_unconfirmed", index, **worst_fields, why=why)
        return
    distance, why = implant_distance_cm(policy, implant, exam)
    row = None if distance is None else _covering_row(rows, distance, limit)
    if distance is None or row is None:
        if distance is not None:
            why = (
                f"it is about {_n(distance)} cm from isocentre, beyond every row of "
                f"{scanner.name}'s table that meets the limit"
            )
        report(tally, policy, facts, "spatial_gradient_unconfirmed", index, **worst_fields, why=why)
        return
    report(
        tally,
        policy,
        facts,
        "spatial_gradient_met_at_position",
        index,
        **fields,
        table_gradient=gradient_text(row.max_t_per_m),
        within_cm=_n(row.within_cm),
        distance_cm=_n(distance),
    )
    text = (
        f"{name} kept within {_n(row.within_cm)} cm of isocentre (spatial gradient "
        f"≤ {_n(row.max_t_per_m)} T/m there, {scanner.name} table)"
    )
    tally.constraints.append(Constraint(f"{where}.spatial-gradient", text, where, name))


def _covering_row(
    rows: Sequence[GradientZone], distance_cm: float, limit: float
) -> GradientZone | None:
    """The narrowest row that reaches the implant's position and meets the limit."""
    fitting = [r for r in rows if r.within_cm >= distance_cm and at_most(r.max_t_per_m, limit)]
    return min(fitting, key=lambda r: r.within_cm, default=None)
