"""Between the database and the screening engine: scanners, stored implants, decisions.

The engine (``zonekeeper.policy.screening``) stays free of Flask and SQLAlchemy;
this module feeds it the site's scanners, the visit's answers and implants, and
turns a stateless request (the API and the CLI) into a decision or a list of
problems.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..policy import Policy
from ..policy.screening.decision import ScreeningDecision
from ..policy.screening.evaluate import evaluate_screening
from ..policy.screening.exam import ExamSpec, ScannerSpec
from ..policy.screening.gradient import GradientAssessment
from ..policy.screening.gradient_parse import parse_gradient_map
from ..policy.screening.implants import ImplantDeclaration
from ..policy.screening.parse import parse_exam, parse_implants
from ..questionnaires import validate_answers
from ..questionnaires.store import current_forms, current_questionnaire
from ..site.models import Scanner
from .models import ScreeningSignoff

log = logging.getLogger(__name__)
IMPLANT_LIST_QUESTION = "implants"
# the sign-off that carries a value (details), never a clearance.* fact
GRADIENT_CLEARANCE = "clearance.spatial_gradient"
REQUEST_KEYS = ("form", "form_version", "answers", "implants", "exam")
Problem = dict[str, str]


def scanner_spec(scanner: Scanner) -> ScannerSpec:
    worst_case = scanner.spatial_field_gradient_t_per_m
    rows, problems = parse_gradient_map(
        scanner.spatial_gradient_map or [], worst_case_t_per_m=worst_case
    )
    if rows is None:  # validated at entry, so only a hand-edited row: as if none (fail closed)
        log.error("scanner %s: unreadable spatial gradient table %s", scanner.name, problems)
    return ScannerSpec(
        name=scanner.name,
        field_strength_t=scanner.field_strength_t,
        spatial_field_gradient_t_per_m=worst_case,
        max_slew_rate_t_per_m_per_s=scanner.max_slew_rate_t_per_m_per_s,
        operating_modes=tuple(scanner.operating_modes or ()),
        transmit_coils=tuple(scanner.transmit_coils or ()),
        spatial_gradient_map=rows or (),
    )


def gradient_assessments(lineage: str, fingerprint: str) -> tuple[GradientAssessment, ...]:
    """The spatial gradients signed off on this lineage, still valid (not voided, given on
    these answers and implants), as the engine takes them."""
    if not lineage or not fingerprint:
        return ()
    found = []
    for signoff in db.session.scalars(
        select(ScreeningSignoff)
        .where(
            ScreeningSignoff.lineage == lineage,
            ScreeningSignoff.clearance == GRADIENT_CLEARANCE,
            ScreeningSignoff.voided_at.is_(None),
            ScreeningSignoff.fingerprint == fingerprint,
        )
        .order_by(ScreeningSignoff.id)
    ):
        details = signoff.details or {}
        try:
            found.append(
                GradientAssessment(
                    int(details["implant"]),
                    str(details["scanner"]),
                    float(details["value_t_per_m"]),
                    str(details["position"]),
                    str(details["source"]),
                )
            )
        except (KeyError, TypeError, ValueError):  # unreadable: ignored, so it clears nothing
            log.error("gradient sign-off #%s has unreadable details", signoff.id)
    return tuple(found)


def site_scanners() -> list[Scanner]:
    return list(
        db.session.scalars(select(Scanner).order_by(Scanner.field_strength_t, Scanner.name))
    )


def implant_as_si(implant: ImplantDeclaration) -> dict[str, Any]:
    """An implant as stored: SI units, only what was stated (parse_implant reads it back)."""
    values: dict[str, Any] = {
        "category": implant.category,
        "description": implant.description,
        "astm_class": implant.astm_class,
        "manufacturer": implant.manufacturer,
        "model": implant.model,
        "body_location": implant.body_location,
        "implant_date": implant.implant_date.isoformat() if implant.implant_date else None,
        "complete_system": implant.complete_system,
        "abandoned_components": implant.abandoned_components,
        "field_strengths_t": sorted(implant.field_strengths_t) or None,
        "field_strength_or_less": implant.field_strength_or_less or None,
        "max_spatial_gradient_t_per_m": implant.max_spatial_gradient_t_per_m,
        "max_whole_body_sar_w_per_kg": implant.max_whole_body_sar_w_per_kg,
        "max_head_sar_w_per_kg": implant.max_head_sar_w_per_kg,
        "max_b1rms_ut": implant.max_b1rms_ut,
        "operating_mode": implant.operating_mode,
        "allowed_transmit_coils": sorted(implant.allowed_transmit_coils) or None,
        "max_slew_rate_t_per_m_per_s": implant.max_slew_rate_t_per_m_per_s,
        "active_scan_minutes": implant.active_scan_minutes,
        "excluded_regions": sorted(implant.excluded_regions) or None,
        "preparation_steps": list(implant.preparation_steps) or None,
        "waiting_period_days": implant.waiting_period_days,
        "labeling_source": implant.labeling_source,
        "labeling_date": implant.labeling_date.isoformat() if implant.labeling_date else None,
    }
    keep_none = {"astm_class", "complete_system", "abandoned_components"}  # None means unknown
    return {k: v for k, v in values.items() if k in keep_none or v not in (None, "")}


def read_implants(
    data: Any, today: date
) -> tuple[tuple[ImplantDeclaration, ...] | None, list[Problem]]:
    return parse_implants(data if data is not None else [], today=today)


def decide(
    policy: Policy,
    facts: Mapping[str, Any],
    implants: Sequence[ImplantDeclaration],
    exam: ExamSpec,
    today: date,
    assessments: Sequence[GradientAssessment] = (),
) -> ScreeningDecision:
    scanners = [scanner_spec(s) for s in site_scanners()]
    return evaluate_screening(policy, facts, implants, exam, scanners, today, assessments)


def _answer_problems(result_problems: Sequence[Any]) -> list[Problem]:
    return [
        {
            "field": f"answers.{p.question}" if p.question else "answers",
            "code": p.code,
            "problem": p.problem,
        }
        for p in result_problems
    ]


def evaluate_request(
    body: Any, policy: Policy, today: date, *, scanner: str | None = None
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The stateless evaluation behind the API and the CLI.

    ``body``: {"form": "patient", "answers": {...}, "implants": [...], "exam": {...}}.
    Returns the decision as JSON (with the questionnaire's red flags and missing
    answers), or None and every problem found.
    """
    if not isinstance(body, Mapping):
        return None, [{"field": "", "problem": "the body must be a JSON object"}]
    problems: list[Problem] = [
        {"field": str(key), "problem": f"unknown field (expected {', '.join(REQUEST_KEYS)})"}
        for key in body
        if key not in REQUEST_KEYS
    ]
    form_id = body.get("form", "patient")
    version = body.get("form_version")
    known_forms = sorted({form.id for form in current_forms()})
    if not isinstance(form_id, str) or form_id not in known_forms:
        problems.append(
            {"field": "form", "problem": f"unknown form (use one of: {', '.join(known_forms)})"}
        )
        return None, problems
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        problems.append({"field": "form_version", "problem": "must be a whole number"})
        return None, problems
    try:
        questionnaire = current_questionnaire(form_id, version)
    except (KeyError, LookupError):
        problems.append(
            {"field": "form_version", "problem": f"no version {version} of '{form_id}'"}
        )
        return None, problems
    answers = body.get("answers", {})
    if not isinstance(answers, Mapping):
        problems.append({"field": "answers", "problem": "must be an object"})
        return None, problems
    if IMPLANT_LIST_QUESTION in answers:
        problems.append(
            {
                "field": f"answers.{IMPLANT_LIST_QUESTION}",
                "problem": "give the implants in the top-level 'implants' list",
            }
        )
    result = validate_answers(questionnaire, answers, today=today)
    problems.extend(_answer_problems(result.problems))
    implants, more = read_implants(body.get("implants", []), today)
    problems.extend(more)
    exam_data = body.get("exam")
    if scanner is not None and isinstance(exam_data, Mapping):
        exam_data = {**exam_data, "scanner": scanner}
    names = [s.name for s in site_scanners()]
    exam, more = parse_exam(exam_data, scanner_names=names, contrast=policy.contrast)
    problems.extend(more)
    if problems or implants is None or exam is None:
        return None, problems
    decision = decide(policy, result.facts, implants, exam, today)
    output = decision.to_dict()
    output["questionnaire"] = {
        "id": questionnaire.id,
        "version": questionnaire.version,
        "definition_hash": questionnaire.definition_hash,
        "red_flags": [flag.to_dict() for flag in result.red_flags],
        "missing": list(result.missing),
    }
    return output, []
