"""Reading spatial gradient data: a scanner's gradient table, signed-off values, and the
site's implant distance table in rules/screening.yaml. Every problem is named at its field.

A table row is ``{"within_cm": 40, "max_t_per_m": 4.0, "note": "..."}``; at entry the
maximum may instead be ``"max_gradient": 400`` (T/m) or ``{"value": 400, "unit": "G/cm"}``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from ..errors import PolicyIssue, suggest
from ..schema import ImplantDistanceSpec
from .exam import BODY_LOCATIONS, BODY_REGIONS, GradientZone
from .gradient import GradientAssessment, at_most
from .parse_fields import Problem, add_problem, mapping, parse_quantity, text, unknown_keys

MAX_ROWS = 20
MAX_DISTANCE_CM = 500.0  # no patient-accessible position is 5 m from isocentre
MAX_NOTE = 200
_ROW_KEYS = ("within_cm", "max_t_per_m", "max_gradient", "note")
_SIGNOFF_KEYS = ("implant", "scanner", "value", "position", "source")


def _distance(value: Any, field: str, problems: list[Problem]) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        add_problem(problems, field, "must be a number of centimetres")
        return None
    if value != value or not 0 < value <= MAX_DISTANCE_CM:
        add_problem(problems, field, f"must be more than 0 and at most {MAX_DISTANCE_CM:g} cm")
        return None
    return float(value)


def parse_gradient_map(
    data: Any,
    field: str = "spatial_gradient_map",
    problems: list[Problem] | None = None,
    *,
    worst_case_t_per_m: float | None = None,
) -> tuple[tuple[GradientZone, ...] | None, list[Problem]]:
    """Rows sorted by distance. A wider region may not state a lower maximum than a
    narrower one inside it, nor any row more than the scanner's worst case."""
    problems = [] if problems is None else problems
    start = len(problems)
    if data is None:
        return (), problems
    if not isinstance(data, list) or len(data) > MAX_ROWS:
        add_problem(problems, field, f"must be a list of at most {MAX_ROWS} rows")
        return None, problems
    rows: list[GradientZone] = []
    for index, item in enumerate(data):
        where = f"{field}[{index}]"
        given = mapping(item, where, problems)
        if given is None:
            continue
        unknown_keys(given, _ROW_KEYS, where, problems)
        within = _distance(given.get("within_cm"), f"{where}.within_cm", problems)
        keys = [k for k in ("max_t_per_m", "max_gradient") if given.get(k) is not None]
        if len(keys) != 1:
            add_problem(problems, f"{where}.max_gradient", "is required (once)")
            continue
        value = given[keys[0]]
        if keys[0] == "max_t_per_m" and isinstance(value, dict):
            add_problem(
                problems, f"{where}.max_t_per_m", "is a number in T/m (or use max_gradient)"
            )
            continue
        maximum = parse_quantity(value, "spatial_gradient", f"{where}.{keys[0]}", problems)
        note = text(given.get("note", ""), f"{where}.note", problems) or ""
        if len(note) > MAX_NOTE:
            add_problem(problems, f"{where}.note", f"must be at most {MAX_NOTE} characters")
        if within is None or maximum is None:
            continue
        if any(row.within_cm == within for row in rows):
            add_problem(problems, f"{where}.within_cm", f"{within:g} cm is given twice")
            continue
        if worst_case_t_per_m is not None and not at_most(maximum, worst_case_t_per_m):
            add_problem(
                problems,
                f"{where}.max_gradient",
                f"{maximum:g} T/m is above the scanner's worst case ({worst_case_t_per_m:g} T/m)",
            )
        rows.append(GradientZone(within, maximum, note[:MAX_NOTE]))
    rows.sort(key=lambda row: row.within_cm)
    for narrower, wider in zip(rows, rows[1:], strict=False):
        if wider.max_t_per_m < narrower.max_t_per_m:
            add_problem(
                problems,
                field,
                f"within {wider.within_cm:g} cm the maximum ({wider.max_t_per_m:g} T/m) cannot "
                f"be lower than within {narrower.within_cm:g} cm ({narrower.max_t_per_m:g} T/m): "
                "the wider region contains the narrower one",
            )
    if len(problems) > start:
        return None, problems
    return tuple(rows), problems


def gradient_map_as_si(rows: tuple[GradientZone, ...]) -> list[dict[str, Any]]:
    """As stored in ``scanners.spatial_gradient_map``: T/m, cm and the note."""
    return [{"within_cm": r.within_cm, "max_t_per_m": r.max_t_per_m, "note": r.note} for r in rows]


def parse_gradient_assessments(
    data: Any, field: str = "gradient_signoffs", *, scanner_names: Collection[str] | None = None
) -> tuple[tuple[GradientAssessment, ...] | None, list[Problem]]:
    """Signed-off gradients: {"implant": 0, "scanner": "3T Skyra", "value": 4.0 or
    {"value": 400, "unit": "G/cm"}, "position": "40 cm from isocentre", "source": "..."}."""
    problems: list[Problem] = []
    if data is None:
        return (), problems
    if not isinstance(data, list):
        return None, [{"field": field, "problem": "must be a list (empty if none)"}]
    found: list[GradientAssessment] = []
    for index, item in enumerate(data):
        where = f"{field}[{index}]"
        given = mapping(item, where, problems)
        if given is None:
            continue
        unknown_keys(given, _SIGNOFF_KEYS, where, problems)
        implant = given.get("implant")
        if isinstance(implant, bool) or not isinstance(implant, int) or implant < 0:
            add_problem(problems, f"{where}.implant", "must be the implant's index (0, 1, ...)")
            implant = None
        scanner = text(given.get("scanner"), f"{where}.scanner", problems, required=True)
        if scanner and scanner_names is not None and scanner not in scanner_names:
            hint = suggest(scanner, scanner_names)
            add_problem(
                problems,
                f"{where}.scanner",
                f"unknown scanner '{scanner}'" + (f" (did you mean '{hint}'?)" if hint else ""),
            )
        value = parse_quantity(given.get("value"), "spatial_gradient", f"{where}.value", problems)
        position = text(given.get("position"), f"{where}.position", problems, required=True)
        source = text(given.get("source"), f"{where}.source", problems, required=True)
        if implant is not None and scanner and value is not None and position and source:
            found.append(GradientAssessment(implant, scanner, value, position, source))
    return (None, problems) if problems else (tuple(found), problems)


def compile_implant_distances(
    specs: list[ImplantDistanceSpec], file_name: str, issues: list[PolicyIssue]
) -> dict[str, dict[str, float]]:
    """rules/screening.yaml ``implant_distances``: landmark -> body region -> cm."""
    table: dict[str, dict[str, float]] = {}
    for index, spec in enumerate(specs):
        where = f"implant_distances[{index}]"
        if spec.landmark not in BODY_REGIONS:
            issues.append(
                PolicyIssue(
                    file_name,
                    f"{where}.landmark",
                    f"unknown exam body region '{spec.landmark}'",
                    suggest(spec.landmark, BODY_REGIONS),
                )
            )
            continue
        if spec.landmark in table:
            issues.append(
                PolicyIssue(file_name, f"{where}.landmark", f"duplicate '{spec.landmark}'")
            )
        row: dict[str, float] = {}
        for location, cm in spec.distances_cm.items():
            path = f"{where}.distances_cm.{location}"
            if location not in BODY_LOCATIONS:
                issues.append(
                    PolicyIssue(
                        file_name,
                        path,
                        f"unknown implant body region '{location}'",
                        suggest(location, BODY_LOCATIONS),
                    )
                )
            elif cm != cm or not 0 <= cm <= MAX_DISTANCE_CM:
                issues.append(PolicyIssue(file_name, path, f"must be 0 to {MAX_DISTANCE_CM:g} cm"))
            else:
                row[location] = float(cm)
        table[spec.landmark] = row
    return table
