"""JSON-like input to typed screening objects: every problem named at its field."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from zonekeeper.policy.screening.parse import (
    parse_exam,
    parse_facts,
    parse_implant,
    parse_implants,
    parse_scanners,
    parse_screening_request,
)

TODAY = date(2025, 3, 1)
STENT: dict[str, Any] = {
    "category": "stent_coil_filter",
    "description": "Coronary stent",
    "astm_class": "mr_conditional",
    "field_strengths": [1.5, {"value": 3000, "unit": "mT"}],
    "max_spatial_gradient": {"value": 720, "unit": "G/cm"},
    "max_whole_body_sar": 2,
    "operating_mode": "normal",
    "implant_date": "2024-01-02",
    "waiting_period_days": {"value": 6, "unit": "weeks"},
    "excluded_regions": ["chest"],
    "allowed_transmit_coils": ["body"],
    "preparation_steps": ["Continuous monitoring"],
}
SCANNER: dict[str, Any] = {
    "name": "1.5T",
    "field_strength": 1.5,
    "spatial_field_gradient": {"value": 500, "unit": "G/cm"},
    "max_slew_rate": 125,
    "operating_modes": ["normal"],
    "transmit_coils": ["body"],
}
EXAM = {"scanner": "1.5T", "body_region": "head", "transmit_coil": "body", "setting": "outpatient"}


def _fields(problems: list[dict[str, str]]) -> dict[str, str]:
    return {p["field"]: p["problem"] for p in problems}


def test_a_valid_implant_is_converted_to_si() -> None:
    implant, problems = parse_implant(STENT, today=TODAY)
    assert problems == [] and implant is not None
    assert implant.field_strengths_t == frozenset({1.5, 3.0})
    assert implant.max_spatial_gradient_t_per_m == pytest.approx(7.2)
    assert implant.waiting_period_days == 42
    assert implant.implant_date == date(2024, 1, 2)
    assert implant.excluded_regions == frozenset({"chest"})


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"max_whole_body_sar": -1}, "implants[0].max_whole_body_sar", "not plausible"),
        ({"field_strengths": [30]}, "implants[0].field_strengths[0]", "not plausible"),
        (
            {"max_spatial_gradient": {"value": 7, "unit": "G/m"}},
            "implants[0].max_spatial_gradient",
            "unknown unit",
        ),
        ({"astm_class": "MR compatible"}, "implants[0].astm_class", "unknown ASTM F2503 class"),
        ({"category": "cardiak"}, "implants[0].category", "did you mean 'cardiac'"),
        (
            {"excluded_regions": ["chset"]},
            "implants[0].excluded_regions[0]",
            "did you mean 'chest'",
        ),
        (
            {"allowed_transmit_coils": ["bodyy"]},
            "implants[0].allowed_transmit_coils[0]",
            "unknown value",
        ),
        ({"operating_mode": "second_level"}, "implants[0].operating_mode", "unknown value"),
        ({"complete_system": "yes"}, "implants[0].complete_system", "true, false or null"),
        ({"max_b1rms": "2.0"}, "implants[0].max_b1rms", "must be a number"),
        ({"implant_date": "2026-01-01"}, "implants[0].implant_date", "in the future"),
        ({"implant_date": "01/02/2024"}, "implants[0].implant_date", "YYYY-MM-DD"),
        ({"waiting_period_days": 1.5}, "implants[0].waiting_period_days", "whole number"),
        ({"max_head_sarr": 3.2}, "implants[0].max_head_sarr", "did you mean 'max_head_sar'"),
        ({"description": ""}, "implants[0].description", "is required"),
    ],
)
def test_invalid_implant_values_are_refused_at_their_field(change, field, fragment) -> None:  # type: ignore[no-untyped-def]
    implant, problems = parse_implant({**STENT, **change}, today=TODAY)
    assert implant is None
    assert fragment in _fields(problems).get(field, ""), problems


def test_an_unknown_class_is_accepted_as_unknown() -> None:
    implant, problems = parse_implant({**STENT, "astm_class": None})
    assert problems == [] and implant is not None and implant.astm_class is None


def test_implant_list_reports_each_item() -> None:
    implants, problems = parse_implants([STENT, {**STENT, "max_head_sar": -3}, "x"])
    assert implants is None
    assert set(_fields(problems)) == {"implants[1].max_head_sar", "implants[2]"}


def test_facts_problems() -> None:
    facts, problems = parse_facts(
        {
            "device.cardiac": "yes",
            "device.cardiak": True,
            "kidney.egfr": 900,
            "kidney.egfr_date": "2025-13-01",
            "contrast.group": "I",
            "clearance.orbits": True,
        },
        allow_workflow_facts=False,
    )
    assert facts is None
    found = _fields(problems)
    assert "true (yes), false (no) or null" in found["facts.device.cardiac"]
    assert "did you mean 'device.cardiac'" in found["facts.device.cardiak"]
    assert "not plausible" in found["facts.kidney.egfr"]
    assert "YYYY-MM-DD" in found["facts.kidney.egfr_date"]
    assert "derived" in found["facts.contrast.group"]
    assert "workflow" in found["facts.clearance.orbits"]


def test_facts_are_typed() -> None:
    facts, problems = parse_facts(
        {"device.cardiac": None, "kidney.egfr": 45, "kidney.egfr_date": "2025-02-01"}
    )
    assert problems == []
    assert facts == {
        "device.cardiac": None,
        "kidney.egfr": 45.0,
        "kidney.egfr_date": date(2025, 2, 1),
    }


def test_scanners_and_exam() -> None:
    scanners, problems = parse_scanners([SCANNER, {**SCANNER, "field_strength": 30}, SCANNER])
    assert scanners is None
    found = _fields(problems)
    assert "not plausible" in found["scanners[1].field_strength"]
    assert "duplicate" in found["scanners[2].name"]
    exam, problems = parse_exam(
        {**EXAM, "scanner": "3T", "body_region": "hed"}, scanner_names=["1.5T"]
    )
    assert exam is None
    assert set(_fields(problems)) == {"exam.scanner", "exam.body_region"}
    assert "did you mean 'head'" in _fields(problems)["exam.body_region"]


def test_whole_request() -> None:
    request, problems = parse_screening_request(
        {
            "facts": {"device.stent_coil_filter": True},
            "implants": [STENT],
            "exam": EXAM,
            "scanners": [SCANNER],
        },
        today=TODAY,
    )
    assert problems == [] and request is not None
    assert request.exam.scanner == "1.5T" and len(request.implants) == 1
    request, problems = parse_screening_request({"exam": EXAM, "scanners": [], "extra": 1})
    assert request is None
    assert {"extra", "scanners", "exam.scanner"} <= set(_fields(problems)) | {"exam.scanner"}
