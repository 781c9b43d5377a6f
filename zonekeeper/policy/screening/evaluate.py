"""Evaluating a screening: answers, implants and exam against the site's scanners.

Fail closed everywhere: an exception is ``not_cleared`` with ``system_error``;
invalid input is ``not_cleared``; an unknown answer, label condition or implant
date is at best ``more_info_required``. The worst disposition wins.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from .contrast import contrast_group, decide_contrast
from .decision import (
    Action,
    ContrastDecision,
    ScannerEligibility,
    ScreeningDecision,
    ScreeningReason,
)
from .derived import derive_facts
from .exam import ExamSpec, ScannerSpec
from .gradient import GradientAssessment, check_gradient
from .implant_check import check_declarations, check_implant, check_on_scanner
from .implants import ImplantDeclaration
from .parse import parse_facts
from .policy import SEVERITY, worst
from .rules import apply_rules, check_required_answers, report_not_asked, unanswerable_state
from .tally import Tally

if TYPE_CHECKING:  # the policy model imports this package
    from ..model import Policy

log = logging.getLogger(__name__)

ENGINE_SOURCE = (
    "ZoneKeeper fail-closed principle (ACR Manual on MR Safety: when in doubt, do not scan)"
)


def _engine_reason(code: str, text: str, rule_id: str) -> ScreeningReason:
    return ScreeningReason(code, text, rule_id, ENGINE_SOURCE, "not_cleared")


def evaluate_screening(
    policy: Policy,
    facts: Mapping[str, Any],
    implants: Sequence[ImplantDeclaration],
    exam: ExamSpec,
    scanners: Sequence[ScannerSpec],
    today: date,
    gradient_assessments: Sequence[GradientAssessment] = (),
) -> ScreeningDecision:
    """Decide a screening for ``exam`` on the scanner it is booked on, and on every other one.

    ``gradient_assessments``: the spatial field gradients at implants' positions signed
    off by an MRSE or Level 2 MR physician (valid sign-offs of this screening only).
    Never raises: any failure is ``not_cleared`` with reason ``system_error``.
    """
    try:
        return _evaluate(policy, facts, implants, exam, scanners, today, gradient_assessments)
    except Exception:  # fail closed, whatever went wrong
        log.exception("screening evaluation failed; not cleared")
        text = (
            "The screening could not be evaluated because of an internal error: the patient "
            "is not cleared. Screen on paper with a Level 2 technologist and call the MRSO."
        )
        return _refusal(policy, exam, [_engine_reason("system_error", text, "engine.error")])


def _refusal(policy: Any, exam: Any, reasons: list[ScreeningReason]) -> ScreeningDecision:
    planned = getattr(exam, "contrast_agent", None)
    contrast = ContrastDecision(
        "not_cleared" if planned is not None else "not_applicable",
        planned if isinstance(planned, str) else None,
        None,
        None,
        tuple(reasons) if planned is not None else (),
        (),
    )
    return ScreeningDecision(
        disposition="not_cleared",
        scanner=str(getattr(exam, "scanner", "")),
        constraints=(),
        actions=(),
        eligible_scanners=(),
        reasons=tuple(reasons),
        contrast=contrast,
        policy_version=str(getattr(policy, "version", "unknown")),
        evaluated_on=None,
    )


def _input_problems(
    policy: Policy,
    implants: Sequence[ImplantDeclaration],
    exam: ExamSpec,
    scanners: Sequence[ScannerSpec],
    today: date,
) -> list[ScreeningReason]:
    problems = []
    if policy.screening is None:
        problems.append(
            ("no_screening_policy", "The policy has no screening rules (rules/screening.yaml).")
        )
    if not isinstance(exam, ExamSpec):
        problems.append(("invalid_input", "The exam is not an ExamSpec."))
    if not isinstance(today, date):
        problems.append(("invalid_input", "The date of the screening is not a date."))
    if not all(isinstance(i, ImplantDeclaration) for i in implants):
        problems.append(("invalid_input", "An implant is not an ImplantDeclaration."))
    names = [s.name for s in scanners if isinstance(s, ScannerSpec)]
    if len(names) != len(scanners) or len(set(names)) != len(names):
        problems.append(("invalid_input", "The scanners are not distinct ScannerSpecs."))
    elif isinstance(exam, ExamSpec) and exam.scanner not in names:
        problems.append(
            (
                "unknown_scanner",
                f"The exam is booked on '{exam.scanner}', which is not one of the site's scanners.",
            )
        )
    return [_engine_reason(code, text, "engine.input") for code, text in problems]


def _evaluate(
    policy: Policy,
    given: Mapping[str, Any],
    implants: Sequence[ImplantDeclaration],
    exam: ExamSpec,
    scanners: Sequence[ScannerSpec],
    today: date,
    assessments: Sequence[GradientAssessment] = (),
) -> ScreeningDecision:
    refusals = _input_problems(policy, implants, exam, scanners, today)
    if not all(isinstance(a, GradientAssessment) for a in assessments):
        refusals.append(
            _engine_reason(
                "invalid_input", "A gradient sign-off is not a GradientAssessment.", "engine.input"
            )
        )
    answered, problems = parse_facts(dict(given))
    for problem in problems:
        refusals.append(
            _engine_reason(
                "invalid_fact", f"'{problem['field']}' {problem['problem']}.", "engine.input"
            )
        )
    screening = policy.screening
    if refusals or answered is None or screening is None:
        return _refusal(policy, exam, refusals)

    found = contrast_group(policy.contrast, exam)
    facts = derive_facts(answered, exam, found[0] if found else None, today)
    common = Tally()  # what does not depend on the scanner
    # nobody can answer (unreliable history, no proxy): unknown answers are not asked
    not_asked: set[str] | None = (
        set() if unanswerable_state(screening.unanswerable, facts) else None
    )
    check_required_answers(
        common,
        screening.required_answers,
        screening.required_answers_source,
        facts,
        screening.actions,
        not_asked=not_asked,
    )
    apply_rules(common, screening.rules, facts, screening.actions, not_asked=not_asked)
    if not_asked is not None and screening.unanswerable is not None:
        report_not_asked(common, screening.unanswerable, not_asked, facts)
    check_declarations(common, screening, facts, implants)
    for index, implant in enumerate(implants):
        check_implant(common, screening, facts, index, implant, exam, today)

    per_scanner: list[tuple[ScannerSpec, Tally]] = []
    for scanner in scanners:
        own = Tally()
        for index, implant in enumerate(implants):
            check_on_scanner(own, screening, facts, index, implant, scanner)
            if implant.astm_class == "mr_conditional":
                check_gradient(own, screening, facts, index, implant, scanner, exam, assessments)
        per_scanner.append((scanner, own))
    eligibility = tuple(
        ScannerEligibility(
            scanner.name,
            scanner.field_strength_t,
            scanner.name == exam.scanner,
            worst(common.disposition, own.disposition),
            tuple(common.constraints) + tuple(own.constraints),
            tuple(own.reasons),
        )
        for scanner, own in per_scanner
    )
    booked = next(own for scanner, own in per_scanner if scanner.name == exam.scanner)
    reasons = common.reasons + booked.reasons
    disposition = worst(common.disposition, booked.disposition)
    if not reasons:
        reasons.append(
            ScreeningReason(
                "no_findings",
                "Every screening question is answered and no rule or implant limits the scan.",
                "engine.cleared",
                screening.required_answers_source,
                "cleared",
            )
        )
    actions = list(common.actions)
    actions.extend(a for a in booked.actions if a not in actions)
    assert SEVERITY[disposition] >= max((SEVERITY[r.disposition] for r in reasons), default=0)
    return ScreeningDecision(
        disposition=disposition,
        scanner=exam.scanner,
        constraints=tuple(common.constraints) + tuple(booked.constraints),
        actions=_decided(actions, screening.action_deciders),
        eligible_scanners=eligibility,
        reasons=tuple(reasons),
        contrast=_with_deciders(
            decide_contrast(screening, policy.contrast, exam, facts), screening.action_deciders
        ),
        policy_version=policy.version,
        evaluated_on=today,
    )


def _decided(actions: Sequence[Action], deciders: Mapping[str, str]) -> tuple[Action, ...]:
    """Each action with the physician who decides it, where one does."""
    return tuple(
        replace(a, decided_by=deciders[a.code]) if a.code in deciders else a for a in actions
    )


def _with_deciders(contrast: ContrastDecision, deciders: Mapping[str, str]) -> ContrastDecision:
    return replace(contrast, actions=_decided(contrast.actions, deciders))
