"""The ZoneKeeper policy engine: rules as data, decisions with reasons.

Pure Python: no Flask, no SQLAlchemy. Everything here is typed (mypy --strict).
"""

from .engine import decide_zone_access
from .errors import PolicyError, PolicyIssue
from .explain import format_decision
from .loader import load_policy
from .model import Decision, Policy, Reason
from .personnel import TrainingFact, best_current_training
from .screening import (
    ExamSpec,
    ImplantDeclaration,
    ScannerSpec,
    ScreeningDecision,
    evaluate_screening,
    parse_screening_request,
)

__all__ = [
    "Decision",
    "ExamSpec",
    "ImplantDeclaration",
    "Policy",
    "PolicyError",
    "PolicyIssue",
    "Reason",
    "ScannerSpec",
    "ScreeningDecision",
    "TrainingFact",
    "best_current_training",
    "decide_zone_access",
    "evaluate_screening",
    "format_decision",
    "load_policy",
    "parse_screening_request",
]
