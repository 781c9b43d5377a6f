"""Deciding zone access: default deny, any deny wins, fail closed.

The engine only decides and explains. It never writes, sends or logs a
decision as an event; the services that call it do that.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from .facts import prepare_facts
from .model import Decision, Policy, Reason, RuleEvaluation

log = logging.getLogger(__name__)

ENGINE_SOURCE = "ZoneKeeper fail-closed principle (ACR Manual on MR Safety: when in doubt, deny)"

DEFAULT_DENY = Reason(
    code="no_rule_grants",
    text="No rule admits this person to this zone, so access is denied by default.",
    rule_id="default-deny",
    source=ENGINE_SOURCE,
)


def decide_zone_access(policy: Policy, given: Mapping[str, Any]) -> Decision:
    """Decide whether a person may enter a zone, and say why.

    Never raises: any failure is a deny with reason ``system_error``.
    """
    try:
        return _decide(policy, given)
    except Exception:  # fail closed, whatever went wrong
        log.exception("zone access decision failed; denying")
        return Decision(
            outcome="deny",
            reasons=(
                Reason(
                    code="system_error",
                    text="The decision could not be made because of an internal error; "
                    "access is denied. Follow the paper procedure and call the MRSO.",
                    rule_id="engine.error",
                    source=ENGINE_SOURCE,
                ),
            ),
            policy_version=getattr(policy, "version", "unknown"),
        )


def _decide(policy: Policy, given: Mapping[str, Any]) -> Decision:
    if not isinstance(given, Mapping):
        raise TypeError("facts must be a mapping")
    facts, problems = prepare_facts(
        given, policy.domains, policy.training_validity_days, policy.lowest_level
    )
    if problems:
        return Decision(
            outcome="deny",
            reasons=tuple(
                Reason(
                    code="missing_fact" if problem == "is required" else "invalid_fact",
                    text=f"'{fact}' {problem}; access is denied until it is known.",
                    rule_id="engine.input",
                    source=ENGINE_SOURCE,
                )
                for fact, problem in problems
            ),
            policy_version=policy.version,
            facts=facts,
        )

    evaluations: list[RuleEvaluation] = []
    fired: dict[str, list[Reason]] = {"deny": [], "grant": [], "grant_with_escort": []}
    for rule, reason in policy.rules_with_reasons:
        # every condition is evaluated (no short circuit) so the trace is complete
        when = tuple([c.test(facts[c.fact], c.value) for c in rule.when])
        unless = tuple([c.test(facts[c.fact], c.value) for c in rule.unless])
        rule_fired = all(when) and not (unless and all(unless))
        evaluations.append(RuleEvaluation(rule, when, unless, rule_fired))
        if rule_fired:
            fired[rule.effect].append(reason)

    if fired["deny"]:
        outcome, reasons = "deny", fired["deny"]
    elif fired["grant"]:
        outcome, reasons = "grant", fired["grant"]
    elif fired["grant_with_escort"]:
        outcome, reasons = "grant_with_escort", fired["grant_with_escort"]
    else:
        outcome, reasons = "deny", [DEFAULT_DENY]
    return Decision(
        outcome=outcome,  # type: ignore[arg-type]
        reasons=tuple(reasons),
        policy_version=policy.version,
        evaluations=tuple(evaluations),
        facts=facts,
    )
