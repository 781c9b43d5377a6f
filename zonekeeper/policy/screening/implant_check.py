"""Each declared implant against its labeling, the exam and each scanner (fail closed).

What a finding leads to (disposition, code, text, actions) is configured in
rules/screening.yaml under ``implant_checks``; the comparisons are here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from .decision import Action, Constraint, ScreeningReason
from .exam import ExamSpec, ScannerSpec
from .facts import SCREENING_FACTS
from .implants import IMPLANT_CATEGORIES, MODE_LABELS, ImplantDeclaration
from .logic import condition_value
from .policy import ScreeningPolicy
from .tally import Tally

FIELD_TOLERANCE_T = 0.01  # 1.494 T systems are "1.5 T" on labels


def _n(value: float) -> str:
    return f"{value:g}"


def _question(fact: str) -> str:
    return SCREENING_FACTS[fact].description.rstrip(".")


def report(
    tally: Tally,
    policy: ScreeningPolicy,
    facts: Mapping[str, Any],
    check: str,
    index: int | None,
    **fields: str,
) -> None:
    """Add the reason (and actions) that rules/screening.yaml configures for ``check``."""
    config = policy.implant_checks[check]
    if config.unless and all(condition_value(c, facts) is True for c in config.unless):
        return
    where = f"implants[{index}]" if index is not None else None
    reason = ScreeningReason(
        config.code,
        config.text.format(**fields),
        f"implant.{check}",
        config.source,
        config.disposition,
        where,
    )
    source = where or f"implant.{check}"
    tally.add(reason, (Action(code, policy.actions[code], source) for code in config.actions))


def check_declarations(
    tally: Tally,
    policy: ScreeningPolicy,
    facts: Mapping[str, Any],
    implants: Sequence[ImplantDeclaration],
) -> None:
    """A 'yes' with no implant listed, and a listed implant whose question was answered 'no'."""
    declared = {implant.category for implant in implants}
    for category in IMPLANT_CATEGORIES:
        fact = f"device.{category}"
        if facts.get(fact) is True and category not in declared:
            report(tally, policy, facts, "device_without_implant", None, question=_question(fact))
    for index, implant in enumerate(implants):
        fact = f"device.{implant.category}"
        if facts.get(fact) is False:
            report(
                tally,
                policy,
                facts,
                "implant_contradicts_answer",
                index,
                implant=implant.name,
                question=_question(fact),
            )


def check_implant(
    tally: Tally,
    policy: ScreeningPolicy,
    facts: Mapping[str, Any],
    index: int,
    implant: ImplantDeclaration,
    exam: ExamSpec,
    today: date,
) -> None:
    """What does not depend on the scanner: class, labeling, system, waiting, region, coil."""
    name = implant.name
    if implant.astm_class is None:
        report(tally, policy, facts, "unknown_class", index, implant=name)
        return
    if implant.astm_class == "mr_safe":
        return
    if implant.astm_class != "mr_conditional":
        report(tally, policy, facts, implant.astm_class, index, implant=name)
        return
    report(tally, policy, facts, "mr_conditional", index, implant=name)
    missing = _missing_conditions(implant)
    if missing:
        report(tally, policy, facts, "label_incomplete", index, implant=name, missing=missing)
    _check_system(tally, policy, facts, index, implant)
    if implant.waiting_period_days is not None:
        waiting = str(implant.waiting_period_days)
        if implant.implant_date is None:
            report(
                tally,
                policy,
                facts,
                "implant_date_unknown",
                index,
                implant=name,
                waiting_days=waiting,
            )
        else:
            days_left = implant.waiting_period_days - (today - implant.implant_date).days
            if days_left > 0:
                report(
                    tally,
                    policy,
                    facts,
                    "waiting_period_not_met",
                    index,
                    implant=name,
                    waiting_days=waiting,
                    days_left=str(days_left),
                )
    excluded = implant.excluded_regions
    if exam.body_region in excluded or (exam.body_region == "whole_body" and excluded):
        region = exam.body_region.replace("_", " ")
        report(tally, policy, facts, "body_region_excluded", index, implant=name, region=region)
    coils = implant.allowed_transmit_coils
    if coils and exam.transmit_coil not in coils:
        report(
            tally,
            policy,
            facts,
            "transmit_coil_not_allowed",
            index,
            implant=name,
            coil=exam.transmit_coil,
            allowed=", ".join(sorted(coils)),
        )
    if implant.operating_mode == "normal" and exam.operating_mode != "normal":
        report(
            tally,
            policy,
            facts,
            "operating_mode_not_allowed",
            index,
            implant=name,
            mode=MODE_LABELS["normal"],
            planned_mode=MODE_LABELS[exam.operating_mode],
        )
    where = f"implants[{index}]"
    if implant.category in policy.program_device_categories:
        tally.add_actions([Action("program_device", policy.actions["program_device"], where)])
    tally.constraints.extend(_label_constraints(index, implant))


def _missing_conditions(implant: ImplantDeclaration) -> str:
    missing = []
    if not implant.field_strengths_t:
        missing.append("the allowed static field strengths")
    if implant.max_spatial_gradient_t_per_m is None:
        missing.append("the maximum spatial field gradient")
    rf = (implant.max_whole_body_sar_w_per_kg, implant.max_head_sar_w_per_kg, implant.max_b1rms_ut)
    # "Normal Operating Mode" is itself an RF condition: the scanner then keeps whole-body
    # SAR <= 2 W/kg and head SAR <= 3.2 W/kg (IEC 60601-2-33); First Level is not a limit
    if all(limit is None for limit in rf) and implant.operating_mode != "normal":
        missing.append("an RF limit (SAR or B1+rms, or Normal Operating Mode)")
    if implant.operating_mode is None:
        missing.append("the operating mode")
    return " or ".join(missing)


def _check_system(
    tally: Tally,
    policy: ScreeningPolicy,
    facts: Mapping[str, Any],
    index: int,
    implant: ImplantDeclaration,
) -> None:
    name = implant.name
    if implant.complete_system is False:
        report(tally, policy, facts, "incomplete_system", index, implant=name)
    if implant.abandoned_components is True:
        report(tally, policy, facts, "abandoned_components", index, implant=name)
    if implant.category not in policy.system_categories:
        return
    unknown = []
    if implant.complete_system is None:
        unknown.append("whether it is a complete labelled system")
    if implant.abandoned_components is None:
        unknown.append("whether any lead or component is abandoned or fractured")
    if unknown:
        report(
            tally,
            policy,
            facts,
            "system_configuration_unknown",
            index,
            implant=name,
            missing=" or ".join(unknown),
        )


def _label_constraints(index: int, implant: ImplantDeclaration) -> list[Constraint]:
    where, name = f"implants[{index}]", implant.name
    stated = [
        ("whole-body-sar", "Whole-body SAR ≤ {} W/kg", implant.max_whole_body_sar_w_per_kg),
        ("head-sar", "Head SAR ≤ {} W/kg", implant.max_head_sar_w_per_kg),
        ("b1rms", "B1+rms ≤ {} µT", implant.max_b1rms_ut),
        ("active-scan-time", "Active scanning ≤ {} min", implant.active_scan_minutes),
    ]
    constraints = [
        Constraint(f"{where}.{key}", text.format(_n(value)), where, name)
        for key, text, value in stated
        if value is not None
    ]
    if implant.allowed_transmit_coils:
        coils = ", ".join(sorted(implant.allowed_transmit_coils))
        constraints.append(
            Constraint(f"{where}.transmit-coil", f"Transmit coil: {coils} only", where, name)
        )
    constraints.extend(
        Constraint(f"{where}.preparation-{step_index + 1}", step, where, name)
        for step_index, step in enumerate(implant.preparation_steps)
    )
    return constraints


def check_on_scanner(
    tally: Tally,
    policy: ScreeningPolicy,
    facts: Mapping[str, Any],
    index: int,
    implant: ImplantDeclaration,
    scanner: ScannerSpec,
) -> None:
    """An MR Conditional label against one scanner: field, mode, coils, slew."""
    if implant.astm_class != "mr_conditional":
        return
    name, where = implant.name, f"implants[{index}]"
    fields = {"implant": name, "scanner": scanner.name}
    field = scanner.field_strength_t
    if implant.field_strengths_t and not _field_allowed(implant, field):
        allowed = " or ".join(f"{_n(b)} T" for b in sorted(implant.field_strengths_t))
        if implant.field_strength_or_less:
            allowed = f"{_n(max(implant.field_strengths_t))} T or less"
        report(
            tally,
            policy,
            facts,
            "field_strength_not_allowed",
            index,
            **fields,
            scanner_field=f"{_n(field)} T",
            allowed=allowed,
        )
    # the spatial field gradient is checked at the implant's position (gradient.py)
    mode = implant.operating_mode
    if mode is not None:
        usable = ("normal",) if mode == "normal" else ("normal", "first_level")
        if not any(m in scanner.operating_modes for m in usable):
            report(
                tally,
                policy,
                facts,
                "operating_mode_unavailable",
                index,
                **fields,
                mode=MODE_LABELS[mode],
            )
        text = (
            MODE_LABELS["normal"]
            if mode == "normal"
            else ("Normal or First Level Controlled Operating Mode (no higher)")
        )
        tally.constraints.append(Constraint(f"{where}.operating-mode", text, where, name))
    coils = implant.allowed_transmit_coils
    if coils and not coils.intersection(scanner.transmit_coils):
        report(
            tally,
            policy,
            facts,
            "transmit_coil_unavailable",
            index,
            **fields,
            allowed=", ".join(sorted(coils)),
        )
    label_slew = implant.max_slew_rate_t_per_m_per_s
    if label_slew is not None and scanner.max_slew_rate_t_per_m_per_s > label_slew:
        report(
            tally,
            policy,
            facts,
            "slew_rate_above_label",
            index,
            **fields,
            label_slew=f"{_n(label_slew)} T/m/s",
            scanner_slew=f"{_n(scanner.max_slew_rate_t_per_m_per_s)} T/m/s",
        )
        tally.constraints.append(
            Constraint(
                f"{where}.slew-rate",
                f"Gradient slew rate ≤ {_n(label_slew)} T/m/s per axis",
                where,
                name,
            )
        )


def _field_allowed(implant: ImplantDeclaration, field: float) -> bool:
    if implant.field_strength_or_less:
        return field <= max(implant.field_strengths_t) + FIELD_TOLERANCE_T
    return any(abs(field - allowed) <= FIELD_TOLERANCE_T for allowed in implant.field_strengths_t)
