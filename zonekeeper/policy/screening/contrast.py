"""The contrast sub-decision: the planned agent's group and rules/contrast.yaml."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .decision import ContrastDecision, ScreeningReason
from .exam import ExamSpec
from .policy import ContrastPolicy, ScreeningPolicy
from .rules import apply_rules
from .tally import Tally

ENGINE_SOURCE = (
    "ZoneKeeper fail-closed principle: an agent not in the site's contrast policy is not given"
)


def contrast_group(contrast: ContrastPolicy | None, exam: ExamSpec) -> tuple[str, str] | None:
    """(group, generic name) of the planned agent, None if none is planned or it is not listed."""
    if contrast is None or exam.contrast_agent is None:
        return None
    return contrast.find_agent(exam.contrast_agent)


def decide_contrast(
    screening: ScreeningPolicy,
    contrast: ContrastPolicy | None,
    exam: ExamSpec,
    facts: Mapping[str, Any],
) -> ContrastDecision:
    agent = exam.contrast_agent
    if agent is None:
        return ContrastDecision("not_applicable", None, None, None, (), ())
    found = contrast_group(contrast, exam)
    if contrast is None or found is None:
        text = (
            f"The agent '{agent}' is not in the site's contrast policy (rules/contrast.yaml): "
            "its group, and so its kidney rules, are unknown."
        )
        reason = ScreeningReason(
            "unknown_contrast_agent", text, "engine.contrast", ENGINE_SOURCE, "not_cleared"
        )
        return ContrastDecision("not_cleared", agent, None, None, (reason,), ())
    group, generic = found
    tally = Tally()
    apply_rules(tally, contrast.rules, facts, screening.actions)
    if not tally.reasons:
        group_spec = next(g for g in contrast.groups if g.id == group)
        text = f"{generic} (group {group}): no contrast rule applies; cleared for this patient."
        tally.add(
            ScreeningReason(
                "contrast_no_findings", text, "engine.contrast", group_spec.source, "cleared"
            )
        )
    disposition = tally.disposition
    if disposition == "conditional":  # contrast has no conditional result; fail closed
        disposition = "more_info_required"
    return ContrastDecision(
        disposition, agent, generic, group, tuple(tally.reasons), tuple(tally.actions)
    )
