"""The contrast sub-decision: the planned agent's group and rules/contrast.yaml."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .agents import unknown_agent_text
from .decision import Action, ContrastDecision, ScreeningReason
from .exam import ExamSpec
from .policy import ContrastPolicy, ScreeningPolicy
from .rules import apply_rules
from .tally import Tally

UNKNOWN_AGENT_ACTION = "identify_contrast_agent"
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
        # fail closed, but it is a name to correct (or an agent to add), not a contraindication
        text = (
            unknown_agent_text(contrast.agents if contrast else (), agent)
            + " Its ACR group, and so its kidney rules, are unknown: it is not given until "
            "the agent is named as in the catalogue."
        )
        reason = ScreeningReason(
            "unknown_contrast_agent", text, "engine.contrast", ENGINE_SOURCE, "more_info_required"
        )
        actions = tuple(
            Action(code, screening.actions[code], "engine.contrast")
            for code in (UNKNOWN_AGENT_ACTION,)
            if code in screening.actions
        )
        return ContrastDecision("more_info_required", agent, None, None, (reason,), actions)
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
