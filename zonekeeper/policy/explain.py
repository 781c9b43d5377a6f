"""Plain-text rendering of a decision, for the CLI and for logs."""

from __future__ import annotations

import json
from typing import Any

from .model import Decision

OUTCOME_LABELS = {"grant": "GRANT", "grant_with_escort": "GRANT WITH ESCORT", "deny": "DENY"}


def _show(value: Any) -> str:
    return json.dumps(list(value) if isinstance(value, tuple) else value)


def format_decision(decision: Decision, *, trace: bool = True) -> str:
    lines = [
        f"Decision: {OUTCOME_LABELS[decision.outcome]}",
        f"Policy version: {decision.policy_version}",
    ]
    lines.append("Reasons:")
    for reason in decision.reasons:
        # for whoever maintains the rules: the author's text first, then what the door shows
        lines.append(f"  - [{reason.code}] {reason.explanation or reason.text}")
        if reason.explanation and reason.explanation != reason.text:
            lines.append(f"      door shows: {reason.text}")
        lines.append(f"      rule: {reason.rule_id}")
        lines.append(f"      source: {reason.source}")
    if trace and decision.trace:
        lines.append("Trace:")
        for rule in decision.trace:
            mark = "FIRED" if rule.fired else "-"
            lines.append(f"  {mark:5} {rule.rule_id} ({rule.effect})")
            for cond in rule.conditions:
                ok = "yes" if cond.result else "no"
                lines.append(
                    f"          {cond.clause:6} {cond.fact} {cond.op} {_show(cond.expected)}"
                    f" -> actual {_show(cond.actual)}: {ok}"
                )
    return "\n".join(lines)
