"""The ZoneKeeper policy engine: rules as data, decisions with reasons.

Pure Python: no Flask, no SQLAlchemy. Everything here is typed (mypy --strict).
"""

from .engine import decide_zone_access
from .errors import PolicyError, PolicyIssue
from .explain import format_decision
from .loader import load_policy
from .model import Decision, Policy, Reason
from .personnel import TrainingFact, best_current_training

__all__ = [
    "Decision",
    "Policy",
    "PolicyError",
    "PolicyIssue",
    "Reason",
    "TrainingFact",
    "best_current_training",
    "decide_zone_access",
    "format_decision",
    "load_policy",
]
