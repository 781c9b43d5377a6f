"""One reading of "a number" for every input: finite, and within a float's range.

JSON and forms can carry integers of any length (``1`` followed by 309 zeros),
NaN, infinities and Decimal's signalling NaN. ``float()`` of the first raises
OverflowError and of the last ValueError; comparisons with Decimal NaN raise
InvalidOperation. Every caller that turns input into a number asks here first.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any


def finite_float(value: Any) -> float | None:
    """``value`` as a finite float, or None if it is not a number or not representable.

    Booleans are not numbers here (JSON ``true`` is not 1).
    """
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    try:
        number = float(value)
    except (OverflowError, ValueError, ArithmeticError):
        return None
    return number if math.isfinite(number) else None
