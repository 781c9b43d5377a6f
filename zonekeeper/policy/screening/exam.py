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

TRANSMIT_COILS: tuple[str, ...] = ("body", "head", "extremity", "knee", "multichannel_body")


@dataclass(frozen=True, slots=True)
class ScannerSpec:
    name: str
    field_strength_t: float
    spatial_field_gradient_t_per_m: float  # worst case at patient-accessible positions
    max_slew_rate_t_per_m_per_s: float
    operating_modes: tuple[OperatingMode, ...]
    transmit_coils: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExamSpec:
    scanner: str  # the name of the scanner the exam is booked on
    body_region: str
    transmit_coil: str
    setting: Setting
    contrast_agent: str | None = None
