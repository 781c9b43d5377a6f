"""Units on MR Conditional labels: converted to SI on input, unknown units refused."""

from __future__ import annotations

import math

import pytest

from zonekeeper.policy.screening.labeling import NCI_CODES, astm_class_from, nci_code
from zonekeeper.policy.screening.units import (
    UnitError,
    gauss_per_cm_to_tesla_per_m,
    tesla_per_m_to_gauss_per_cm,
    to_internal,
)


@pytest.mark.parametrize(
    ("quantity", "value", "unit", "expected"),
    [
        ("spatial_gradient", 720, "G/cm", 7.2),
        ("spatial_gradient", 3000, "G/cm", 30.0),
        ("spatial_gradient", 7.2, "T/m", 7.2),
        ("spatial_gradient", 7.2, None, 7.2),
        ("field_strength", 15000, "G", 1.5),
        ("field_strength", 3000, "mT", 3.0),
        ("field_strength", 1.5, "T", 1.5),
        ("sar", 2, "W/kg", 2.0),
        ("b1rms", 2.8, "uT", 2.8),
        ("b1rms", 2.8, "µT", 2.8),
        ("slew_rate", 200, "mT/m/ms", 200.0),
        ("slew_rate", 200, "T/m/s", 200.0),
        ("days", 6, "weeks", 42.0),
        ("duration", 1800, "s", 30.0),
    ],
)
def test_conversion_to_internal_units(quantity, value, unit, expected) -> None:  # type: ignore[no-untyped-def]
    assert math.isclose(to_internal(quantity, value, unit), expected)


@pytest.mark.parametrize(
    ("quantity", "value", "unit", "message"),
    [
        ("field_strength", 30, "T", "not plausible"),
        ("field_strength", 0, "T", "not plausible"),
        ("field_strength", 1.5, "Tesla", "unknown unit 'Tesla'"),
        ("sar", -1, "W/kg", "not plausible"),
        ("spatial_gradient", 720, "G/m", "unknown unit"),
        ("b1rms", "2.0", "uT", "must be a number"),
        ("b1rms", True, "uT", "must be a number"),
        ("sar", float("nan"), None, "finite"),
    ],
)
def test_invalid_quantities_are_refused(quantity, value, unit, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnitError, match=message):
        to_internal(quantity, value, unit)


def test_field_of_11_7_tesla_is_the_plausible_maximum() -> None:
    assert to_internal("field_strength", 11.7) == 11.7
    with pytest.raises(UnitError):
        to_internal("field_strength", 11.71)


@pytest.mark.parametrize("gauss_per_cm", [0.01, 1, 99.9, 720, 1200, 3000, 19_999.5])
def test_gauss_per_cm_round_trip(gauss_per_cm: float) -> None:
    t_per_m = gauss_per_cm_to_tesla_per_m(gauss_per_cm)
    assert math.isclose(tesla_per_m_to_gauss_per_cm(t_per_m), gauss_per_cm)
    assert math.isclose(to_internal("spatial_gradient", gauss_per_cm, "G/cm"), t_per_m)


def test_astm_classes_by_id_code_and_label() -> None:
    assert NCI_CODES == {
        "mr_safe": "C106045",
        "mr_conditional": "C106046",
        "mr_unsafe": "C106047",
        "no_mri_information": "C113844",
    }
    assert astm_class_from("C106046") == "mr_conditional"
    assert astm_class_from("MR Unsafe") == "mr_unsafe"
    assert astm_class_from("mr_safe") == "mr_safe"
    assert astm_class_from("MR compatible") is None  # not an ASTM class
    assert nci_code("no_mri_information") == "C113844" and nci_code(None) is None
