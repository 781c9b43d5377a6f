"""A declared implant or device and the conditions of its MR labeling (SI units)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from .facts import SCREENING_FACTS
from .labeling import AstmClass

OperatingMode = Literal["normal", "first_level"]
OPERATING_MODES: tuple[OperatingMode, ...] = ("normal", "first_level")
MODE_LABELS: dict[str, str] = {
    "normal": "Normal Operating Mode",
    "first_level": "First Level Controlled Operating Mode",
}

# the device.* questions that declare an implant of their kind (leads are a property, not a kind)
IMPLANT_CATEGORIES: tuple[str, ...] = tuple(
    name.removeprefix("device.")
    for name in SCREENING_FACTS
    if name.startswith("device.") and name != "device.leads_abandoned_or_fractured"
)


@dataclass(frozen=True, slots=True)
class ImplantDeclaration:
    """One declared implant. ``astm_class`` None means unknown, treated as MR Unsafe.

    For MR Conditional implants, a condition left as None (or empty) is not
    stated on the label; the evaluation asks for the labeling when a condition
    it needs (field strength, spatial gradient, RF, operating mode) is missing.
    """

    category: str
    description: str
    astm_class: AstmClass | None
    manufacturer: str = ""
    model: str = ""
    body_location: str = ""
    implant_date: date | None = None
    complete_system: bool | None = None
    abandoned_components: bool | None = None
    field_strengths_t: frozenset[float] = frozenset()
    field_strength_or_less: bool = False
    max_spatial_gradient_t_per_m: float | None = None
    max_whole_body_sar_w_per_kg: float | None = None
    max_head_sar_w_per_kg: float | None = None
    max_b1rms_ut: float | None = None
    operating_mode: OperatingMode | None = None
    allowed_transmit_coils: frozenset[str] = frozenset()
    max_slew_rate_t_per_m_per_s: float | None = None
    active_scan_minutes: float | None = None
    excluded_regions: frozenset[str] = frozenset()
    preparation_steps: tuple[str, ...] = ()
    waiting_period_days: int | None = None
    labeling_source: str = ""
    labeling_date: date | None = None

    @property
    def name(self) -> str:
        """How the implant is named in reasons: description, then maker and model if known."""
        maker = " ".join(part for part in (self.manufacturer, self.model) if part)
        return f"{self.description} ({maker})" if maker else self.description
