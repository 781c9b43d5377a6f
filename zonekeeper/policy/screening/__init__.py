"""Zone II screening: answers, implants and the exam against the site's scanners.

Entry point: :func:`evaluate_screening`. Inputs from JSON: :func:`parse_screening_request`
(or ``parse_facts``, ``parse_implants``, ``parse_exam``, ``parse_scanners``).
"""

from .decision import (
    Action,
    Constraint,
    ContrastDecision,
    ScannerEligibility,
    ScreeningDecision,
    ScreeningReason,
)
from .evaluate import evaluate_screening
from .exam import ExamSpec, ScannerSpec
from .implants import ImplantDeclaration
from .parse import (
    ScreeningRequest,
    parse_exam,
    parse_facts,
    parse_implant,
    parse_implants,
    parse_scanners,
    parse_screening_request,
)

__all__ = [
    "Action",
    "Constraint",
    "ContrastDecision",
    "ExamSpec",
    "ImplantDeclaration",
    "ScannerEligibility",
    "ScannerSpec",
    "ScreeningDecision",
    "ScreeningReason",
    "ScreeningRequest",
    "evaluate_screening",
    "parse_exam",
    "parse_facts",
    "parse_implant",
    "parse_implants",
    "parse_scanners",
    "parse_screening_request",
]
