"""From JSON-like data to typed screening inputs, with every problem named at its field.

Each ``parse_*`` function returns ``(value_or_None, problems)``; a problem is
``{"field": "implants[0].max_whole_body_sar", "problem": "..."}``. The value is
None whenever there is a problem: nothing half-valid is ever evaluated.
Quantities are a number in the internal unit or ``{"value": 720, "unit": "G/cm"}``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..errors import suggest
from ..numbers import finite_float
from .agents import unknown_agent_text
from .derived import DERIVED_FACTS
from .exam import BODY_REGIONS, SETTINGS, TRANSMIT_COILS, ExamSpec, ScannerSpec
from .facts import NOT_ANSWERED, SCREENING_FACTS
from .gradient import GradientAssessment
from .gradient_parse import parse_gradient_assessments, parse_gradient_map
from .implants import IMPLANT_CATEGORIES, OPERATING_MODES, ImplantDeclaration
from .labeling import ASTM_CLASSES, NCI_CODES, astm_class_from
from .parse_fields import (
    Problem,
    add_problem,
    choice,
    choices,
    mapping,
    optional_bool,
    parse_date,
    parse_quantity,
    text,
    unknown_keys,
)
from .policy import ContrastPolicy
from .units import Quantity

# plausible ranges of numeric answers (outside: a typo, refused at the field)
NUMBER_RANGES: dict[str, tuple[float, float]] = {
    "kidney.egfr": (0.0, 200.0),
    "patient.weight_kg": (0.3, 400.0),
    "patient.height_cm": (20.0, 260.0),
}


@dataclass(frozen=True, slots=True)
class ScreeningRequest:
    facts: dict[str, Any]
    implants: tuple[ImplantDeclaration, ...]
    exam: ExamSpec
    scanners: tuple[ScannerSpec, ...]
    gradient_assessments: tuple[GradientAssessment, ...] = ()


def parse_facts(
    data: Any,
    field: str = "facts",
    *,
    today: date | None = None,
    allow_workflow_facts: bool = True,
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Answers keyed by screening fact name: yes/no as true/false, null for unknown."""
    problems: list[Problem] = []
    given = mapping(data, field, problems)
    if given is None:
        return None, problems
    facts: dict[str, Any] = {}
    for name, value in given.items():
        where = f"{field}.{name}"
        spec = SCREENING_FACTS.get(name)
        if spec is None:
            if name in DERIVED_FACTS:
                add_problem(problems, where, "is derived by the engine and may not be supplied")
                continue
            hint = suggest(str(name), SCREENING_FACTS)
            add_problem(
                problems, where, "unknown fact" + (f" (did you mean '{hint}'?)" if hint else "")
            )
            continue
        if name in NOT_ANSWERED and not allow_workflow_facts:
            add_problem(
                problems,
                where,
                "is set by the workflow from a recorded sign-off or work-up step, not answered",
            )
            continue
        if value is None:
            facts[name] = None
        elif spec.type == "answer":
            if isinstance(value, bool):
                facts[name] = value
            else:
                add_problem(problems, where, "must be true (yes), false (no) or null (unknown)")
        elif spec.type == "number":
            low, high = NUMBER_RANGES.get(name, (0.0, 1e6))
            number = finite_float(value)
            if number is None:
                add_problem(problems, where, f"must be a number in {spec.unit}")
            elif not low <= number <= high:
                add_problem(
                    problems,
                    where,
                    f"{number:g} {spec.unit} is not plausible ({low:g} to {high:g})",
                )
            else:
                facts[name] = number
        else:
            facts[name] = parse_date(value, where, problems, today)
    return (None if problems else facts), problems


# JSON name -> (field of ImplantDeclaration, quantity); the long SI names are accepted too
_IMPLANT_QUANTITIES: dict[str, tuple[str, Quantity]] = {
    "max_spatial_gradient": ("max_spatial_gradient_t_per_m", "spatial_gradient"),
    "max_whole_body_sar": ("max_whole_body_sar_w_per_kg", "sar"),
    "max_head_sar": ("max_head_sar_w_per_kg", "sar"),
    "max_b1rms": ("max_b1rms_ut", "b1rms"),
    "max_slew_rate": ("max_slew_rate_t_per_m_per_s", "slew_rate"),
    "active_scan_minutes": ("active_scan_minutes", "duration"),
}
_IMPLANT_QUANTITIES.update(
    {target: (target, q) for target, q in list(_IMPLANT_QUANTITIES.values())}
)
_IMPLANT_TEXTS = ("manufacturer", "model", "body_location", "labeling_source")
_IMPLANT_KEYS = (
    "category", "description", "astm_class", "implant_date", "labeling_date", "complete_system",
    "abandoned_components", "field_strengths", "field_strengths_t", "field_strength_or_less",
    "operating_mode", "allowed_transmit_coils", "excluded_regions", "preparation_steps",
    "waiting_period_days", *_IMPLANT_TEXTS, *_IMPLANT_QUANTITIES,
)  # fmt: skip


def parse_implant(
    data: Any, field: str = "implants[0]", *, today: date | None = None
) -> tuple[ImplantDeclaration | None, list[Problem]]:
    problems: list[Problem] = []
    given = mapping(data, field, problems)
    if given is None:
        return None, problems
    unknown_keys(given, _IMPLANT_KEYS, field, problems)
    values: dict[str, Any] = {}
    values["category"] = choice(
        given.get("category"), IMPLANT_CATEGORIES, f"{field}.category", problems
    )
    values["description"] = text(
        given.get("description"), f"{field}.description", problems, required=True
    )
    raw_class = given.get("astm_class")
    if raw_class is None or raw_class == "unknown":
        values["astm_class"] = None  # unknown: treated as MR Unsafe by the evaluation
    elif not isinstance(raw_class, str) or astm_class_from(raw_class) is None:
        known = ", ".join(f"{c} ({NCI_CODES[c]})" for c in ASTM_CLASSES)
        add_problem(
            problems,
            f"{field}.astm_class",
            f"unknown ASTM F2503 class '{raw_class}' (use one of: {known}, or null if unknown)",
        )
    else:
        values["astm_class"] = astm_class_from(raw_class)
    for key in _IMPLANT_TEXTS:
        if given.get(key) is not None:
            values[key] = text(given[key], f"{field}.{key}", problems)
    for key in ("implant_date", "labeling_date"):
        if given.get(key) is not None:
            values[key] = parse_date(given[key], f"{field}.{key}", problems, today)
    for key in ("complete_system", "abandoned_components"):
        values[key] = optional_bool(given.get(key), f"{field}.{key}", problems)
    values["field_strength_or_less"] = given.get("field_strength_or_less", False)
    if not isinstance(values["field_strength_or_less"], bool):
        add_problem(problems, f"{field}.field_strength_or_less", "must be true or false")
    for key in ("field_strengths", "field_strengths_t"):
        if given.get(key) is None:
            continue
        raw = given[key] if isinstance(given[key], list) else [given[key]]
        strengths = [
            parse_quantity(v, "field_strength", f"{field}.{key}[{i}]", problems)
            for i, v in enumerate(raw)
        ]
        if not raw:
            add_problem(
                problems, f"{field}.{key}", "must list at least one field strength (or be left out)"
            )
        values["field_strengths_t"] = frozenset(s for s in strengths if s is not None)
    for key, (target, quantity) in _IMPLANT_QUANTITIES.items():
        if given.get(key) is not None:
            values[target] = parse_quantity(given[key], quantity, f"{field}.{key}", problems)
    if given.get("waiting_period_days") is not None:
        days = parse_quantity(
            given["waiting_period_days"], "days", f"{field}.waiting_period_days", problems
        )
        if days is not None and days != int(days):
            add_problem(problems, f"{field}.waiting_period_days", "must be a whole number of days")
        values["waiting_period_days"] = None if days is None else int(days)
    if given.get("operating_mode") is not None:
        values["operating_mode"] = choice(
            given["operating_mode"], OPERATING_MODES, f"{field}.operating_mode", problems
        )
    for key, allowed in (
        ("allowed_transmit_coils", TRANSMIT_COILS),
        ("excluded_regions", BODY_REGIONS),
    ):
        if given.get(key) is not None:
            chosen = choices(given[key], allowed, f"{field}.{key}", problems)
            values[key] = frozenset(chosen or ())
    if given.get("preparation_steps") is not None:
        steps = given["preparation_steps"]
        if not isinstance(steps, list):
            add_problem(problems, f"{field}.preparation_steps", "must be a list of steps")
        else:
            texts = [
                text(s, f"{field}.preparation_steps[{i}]", problems, required=True)
                for i, s in enumerate(steps)
            ]
            values["preparation_steps"] = tuple(t for t in texts if t)
    if problems:
        return None, problems
    return ImplantDeclaration(**values), problems


def parse_implants(
    data: Any, field: str = "implants", *, today: date | None = None
) -> tuple[tuple[ImplantDeclaration, ...] | None, list[Problem]]:
    if not isinstance(data, list):
        return None, [{"field": field, "problem": "must be a list (empty if none)"}]
    problems: list[Problem] = []
    found = []
    for index, item in enumerate(data):
        implant, item_problems = parse_implant(item, f"{field}[{index}]", today=today)
        problems.extend(item_problems)
        found.append(implant)
    if problems:
        return None, problems
    return tuple(i for i in found if i is not None), problems


_SCANNER_QUANTITIES: dict[str, tuple[str, Quantity]] = {
    "field_strength": ("field_strength_t", "field_strength"),
    "spatial_field_gradient": ("spatial_field_gradient_t_per_m", "spatial_gradient"),
    "max_slew_rate": ("max_slew_rate_t_per_m_per_s", "slew_rate"),
}
_SCANNER_QUANTITIES.update(
    {target: (target, q) for target, q in list(_SCANNER_QUANTITIES.values())}
)
_SCANNER_KEYS = (
    "name", "operating_modes", "transmit_coils", "spatial_gradient_map", *_SCANNER_QUANTITIES,
)  # fmt: skip


def parse_scanner(
    data: Any, field: str = "scanners[0]"
) -> tuple[ScannerSpec | None, list[Problem]]:
    problems: list[Problem] = []
    given = mapping(data, field, problems)
    if given is None:
        return None, problems
    unknown_keys(given, _SCANNER_KEYS, field, problems)
    values: dict[str, Any] = {
        "name": text(given.get("name"), f"{field}.name", problems, required=True)
    }
    for target, quantity in {t: q for t, q in _SCANNER_QUANTITIES.values()}.items():
        keys = [k for k, (t, _) in _SCANNER_QUANTITIES.items() if t == target and k in given]
        if len(keys) != 1:
            add_problem(problems, f"{field}.{keys[0] if keys else target}", "is required (once)")
            continue
        values[target] = parse_quantity(given[keys[0]], quantity, f"{field}.{keys[0]}", problems)
    for key, allowed in (("operating_modes", OPERATING_MODES), ("transmit_coils", TRANSMIT_COILS)):
        chosen = choices(given.get(key), allowed, f"{field}.{key}", problems)
        if chosen == ():
            add_problem(problems, f"{field}.{key}", "must list at least one")
        values[key] = chosen
    worst_case = values.get("spatial_field_gradient_t_per_m")
    gradient_map, _ = parse_gradient_map(
        given.get("spatial_gradient_map"),
        f"{field}.spatial_gradient_map",
        problems,
        worst_case_t_per_m=worst_case,
    )
    values["spatial_gradient_map"] = gradient_map
    if problems:
        return None, problems
    return ScannerSpec(**values), problems


def parse_scanners(
    data: Any, field: str = "scanners"
) -> tuple[tuple[ScannerSpec, ...] | None, list[Problem]]:
    if not isinstance(data, list) or not data:
        return None, [
            {"field": field, "problem": "must be a non-empty list of the site's scanners"}
        ]
    problems: list[Problem] = []
    found: list[ScannerSpec] = []
    for index, item in enumerate(data):
        scanner, item_problems = parse_scanner(item, f"{field}[{index}]")
        problems.extend(item_problems)
        if scanner is not None:
            if any(s.name == scanner.name for s in found):
                add_problem(
                    problems, f"{field}[{index}].name", f"duplicate scanner '{scanner.name}'"
                )
            found.append(scanner)
    return (None, problems) if problems else (tuple(found), problems)


def parse_exam(
    data: Any,
    field: str = "exam",
    *,
    scanner_names: Collection[str] | None = None,
    contrast: ContrastPolicy | None = None,
) -> tuple[ExamSpec | None, list[Problem]]:
    """The exam; with ``contrast``, the agent is resolved to its canonical (generic) name."""
    problems: list[Problem] = []
    given = mapping(data, field, problems)
    if given is None:
        return None, problems
    unknown_keys(
        given,
        ("scanner", "body_region", "transmit_coil", "setting", "contrast_agent", "operating_mode"),
        field,
        problems,
    )
    scanner = text(given.get("scanner"), f"{field}.scanner", problems, required=True)
    if scanner and scanner_names is not None and scanner not in scanner_names:
        choice(scanner, tuple(scanner_names), f"{field}.scanner", problems)
    region = choice(given.get("body_region"), BODY_REGIONS, f"{field}.body_region", problems)
    coil = choice(given.get("transmit_coil"), TRANSMIT_COILS, f"{field}.transmit_coil", problems)
    setting = choice(given.get("setting"), SETTINGS, f"{field}.setting", problems)
    agent = given.get("contrast_agent")
    if agent is not None:
        agent = text(agent, f"{field}.contrast_agent", problems) or None
    if agent and contrast is not None:  # any spelling -> the canonical name, or "did you mean"
        found = contrast.resolve(agent)
        if found is None:
            add_problem(
                problems, f"{field}.contrast_agent", unknown_agent_text(contrast.agents, agent)
            )
        else:
            agent = found.generic
    mode = choice(
        given.get("operating_mode", "normal"), OPERATING_MODES, f"{field}.operating_mode", problems
    )
    if problems or scanner is None or region is None or coil is None or setting is None:
        return None, problems
    return ExamSpec(scanner, region, coil, setting, agent, mode), problems  # type: ignore[arg-type]


def parse_screening_request(
    data: Any, *, today: date | None = None, allow_workflow_facts: bool = True
) -> tuple[ScreeningRequest | None, list[Problem]]:
    """A whole request: {"facts": {...}, "implants": [...], "exam": {...}, "scanners": [...]},
    optionally with "gradient_signoffs": [...] (spatial gradients signed off by an MRSE)."""
    problems: list[Problem] = []
    given = mapping(data, "request", problems)
    if given is None:
        return None, problems
    for key in given:
        if key not in ("facts", "implants", "exam", "scanners", "gradient_signoffs"):
            add_problem(
                problems,
                str(key),
                "unknown field (expected facts, implants, exam, scanners, gradient_signoffs)",
            )
    facts, more = parse_facts(
        given.get("facts", {}), today=today, allow_workflow_facts=allow_workflow_facts
    )
    problems.extend(more)
    implants, more = parse_implants(given.get("implants", []), today=today)
    problems.extend(more)
    scanners, more = parse_scanners(given.get("scanners"))
    problems.extend(more)
    names = [s.name for s in scanners] if scanners is not None else None
    exam, more = parse_exam(given.get("exam"), scanner_names=names)
    problems.extend(more)
    assessments, more = parse_gradient_assessments(
        given.get("gradient_signoffs"), scanner_names=names
    )
    problems.extend(more)
    if problems or facts is None or implants is None or exam is None or scanners is None:
        return None, problems
    return ScreeningRequest(facts, implants, exam, scanners, assessments or ()), problems
