"""Deciding zone access: default deny, any deny wins, fail closed.

The engine only decides and explains. It never writes, sends or logs a
decision as an event; the services that call it do that.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from .facts import prepare_facts
from .model import EFFECTS, Decision, Policy, Reason

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

    compiled = policy.rules_by_zone
    by_effect = compiled.get(facts["target_zone"]) or compiled[None]
    for effect, rules in zip(EFFECTS, by_effect, strict=True):
        # deny first, then grant, then grant_with_escort: the first effect with a fired
        # rule decides (any deny wins), and its reasons are every rule of it that fired.
        # A rule fires when every ``when`` holds and not every ``unless`` does.
        reasons: list[Reason] = []
        for reason, when, unless in rules:
            for test, fact, value in when:
                if not test(facts[fact], value):
                    break
            else:
                if unless:
                    for test, fact, value in unless:
                        if not test(facts[fact], value):
                            break
                    else:
                        continue  # every unless held: vetoed
                reasons.append(reason)
        if reasons:
            return Decision(effect, tuple(reasons), policy.version, policy.rules, facts)
    return Decision("deny", (DEFAULT_DENY,), policy.version, policy.rules, facts)
