"""The planned exam and the site's scanners, as the evaluation sees them.

``ScannerSpec`` mirrors the ``scanners`` table (zonekeeper/site/models.py)
without importing it: the policy engine stays free of Flask and SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .implants import OperatingMode

Setting = Literal["inpatient", "outpatient"]
SETTINGS: tuple[Setting, ...] = ("inpatient", "outpatient")

BODY_REGIONS: tuple[str, ...] = (
    "head",
    "neck",
    "cervical_spine",
    "thoracic_spine",
    "lumbar_spine",
    "chest",
    "cardiac",
    "breast",
    "abdomen",
    "pelvis",
    "prostate",
    "upper_extremity",
    "lower_extremity",
    "whole_body",
)

# where an implant can be placed: a body region (a whole-body exam is no place)
BODY_LOCATIONS: tuple[str, ...] = tuple(r for r in BODY_REGIONS if r != "whole_body")

TRANSMIT_COILS: tuple[str, ...] = ("body", "head", "extremity", "knee", "multichannel_body")


@dataclass(frozen=True, slots=True)
class GradientZone:
    """One row of a scanner's spatial gradient table, as the site read it in the vendor's
    MR safety documentation: within ``within_cm`` of isocentre (along and around the
    patient's path), the spatial field gradient is at most ``max_t_per_m``."""

    within_cm: float
    max_t_per_m: float
    note: str = ""


@dataclass(frozen=True, slots=True)
class ScannerSpec:
    name: str
    field_strength_t: float
    spatial_field_gradient_t_per_m: float  # worst case at patient-accessible positions
    max_slew_rate_t_per_m_per_s: float
    operating_modes: tuple[OperatingMode, ...]
    transmit_coils: tuple[str, ...]
    spatial_gradient_map: tuple[GradientZone, ...] = ()  # by within_cm; () = none entered


@dataclass(frozen=True, slots=True)
class ExamSpec:
    scanner: str  # the name of the scanner the exam is booked on
    body_region: str
    transmit_coil: str
    setting: Setting
    contrast_agent: str | None = None
    operating_mode: OperatingMode = "normal"  # the planned operating mode (IEC 60601-2-33)
