"""Units on MR Conditional labels, converted on input to the SI values kept inside.

Labels mix units (a spatial field gradient of 720 G/cm is 7.2 T/m). Every
quantity has one internal unit; an unknown unit is refused, never guessed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from ..numbers import finite_float

Quantity = Literal[
    "field_strength", "spatial_gradient", "sar", "b1rms", "slew_rate", "duration", "days"
]


@dataclass(frozen=True, slots=True)
class QuantitySpec:
    internal_unit: str
    factors: dict[str, float]  # unit -> factor to the internal unit
    minimum: float  # plausible range of a stated limit, inclusive of maximum
    maximum: float
    minimum_inclusive: bool = False


# 1 T = 10,000 G; 1 mT = 10 G; 1 T/m = 100 G/cm; 1 mT/m/ms = 1 T/m/s
QUANTITIES: dict[Quantity, QuantitySpec] = {
    "field_strength": QuantitySpec("T", {"T": 1.0, "mT": 1e-3, "G": 1e-4, "kG": 0.1}, 0.0, 11.7),
    "spatial_gradient": QuantitySpec(
        "T/m", {"T/m": 1.0, "G/cm": 0.01, "mT/m": 1e-3, "mT/cm": 0.1}, 0.0, 200.0
    ),
    "sar": QuantitySpec("W/kg", {"W/kg": 1.0, "mW/g": 1.0, "mW/kg": 1e-3}, 0.0, 20.0),
    "b1rms": QuantitySpec("µT", {"µT": 1.0, "uT": 1.0, "μT": 1.0, "T": 1e6, "mT": 1e3}, 0.0, 50.0),
    "slew_rate": QuantitySpec(
        "T/m/s", {"T/m/s": 1.0, "mT/m/ms": 1.0, "G/cm/s": 0.01, "T/m/ms": 1e3}, 0.0, 1000.0
    ),
    "duration": QuantitySpec("min", {"min": 1.0, "s": 1 / 60, "h": 60.0}, 0.0, 24 * 60.0),
    "days": QuantitySpec(
        "d", {"d": 1.0, "day": 1.0, "days": 1.0, "week": 7.0, "weeks": 7.0}, 0.0, 3650.0, True
    ),
}


class UnitError(ValueError):
    """A quantity in an unknown unit or outside the plausible range."""


def to_internal(quantity: Quantity, value: float, unit: str | None = None) -> float:
    """``value`` in ``unit`` (default: the internal unit) converted to the internal unit.

    Raises UnitError for an unknown unit, a value that is not finite, or one
    outside the plausible range (a field strength must be 0 < B <= 11.7 T).
    """
    spec = QUANTITIES[quantity]
    unit = spec.internal_unit if unit is None else unit.strip()
    factor = spec.factors.get(unit)
    if factor is None:
        known = ", ".join(spec.factors)
        raise UnitError(f"unknown unit '{unit}' (use one of: {known})")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UnitError("must be a number")
    number = finite_float(value)
    if number is None:
        raise UnitError("must be a finite number")
    converted = number * factor
    if not math.isfinite(converted):
        raise UnitError("must be a finite number")
    low_ok = converted >= spec.minimum if spec.minimum_inclusive else converted > spec.minimum
    if not low_ok or converted > spec.maximum:
        low = "≥" if spec.minimum_inclusive else ">"
        raise UnitError(
            f"{converted:g} {spec.internal_unit} is not plausible "
            f"(must be {low} {spec.minimum:g} and ≤ {spec.maximum:g} {spec.internal_unit})"
        )
    return converted


def gauss_per_cm_to_tesla_per_m(value: float) -> float:
    return value / 100.0


def tesla_per_m_to_gauss_per_cm(value: float) -> float:
    return value * 100.0
