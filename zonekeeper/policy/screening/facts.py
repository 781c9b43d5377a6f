"""The screening fact catalogue: what a questionnaire answer may tell the engine.

This is the contract between the questionnaires in ``forms/`` (each answer names
the facts it sets) and the screening rules in ``rules/screening.yaml`` and
``rules/contrast.yaml`` (each condition names the facts it tests). A name used
on either side that is not listed here is refused when the files are loaded.

Values: ``answer`` facts are True (yes), False (no) or None (unknown or not
answered: never good news); ``number`` facts are floats in the unit given;
``date`` facts are ISO dates. ``clearance.*`` facts are not answered by the
patient: the workflow sets them from recorded sign-offs (a radiologist's orbit
clearance, an MRMD risk/benefit decision) so the same rules can see them.
``workup.*`` facts are not answered either: they come from the unreliable-history
work-up steps recorded by Level 2 personnel (zonekeeper/screening/workup.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ScreeningFactType = Literal["answer", "number", "date"]


@dataclass(frozen=True, slots=True)
class ScreeningFactSpec:
    name: str
    type: ScreeningFactType
    description: str
    unit: str | None = None


def _answer(name: str, description: str) -> ScreeningFactSpec:
    return ScreeningFactSpec(name, "answer", description)


SCREENING_FACTS: dict[str, ScreeningFactSpec] = {
    spec.name: spec
    for spec in (
        # who is answering
        _answer("history.reliable", "The person can give a reliable history."),
        _answer("history.proxy_available", "A knowledgeable proxy answered for the person."),
        _answer("history.prior_surgery", "Any prior surgery or operation."),
        # active and passive implants and devices (each 'yes' needs a declared implant)
        _answer("device.cardiac", "Pacemaker, ICD, loop recorder or cardiac leads."),
        _answer("device.leads_abandoned_or_fractured", "Abandoned or fractured leads or wires."),
        _answer("device.neurostimulator", "DBS, spinal cord, vagus or sacral nerve stimulator."),
        _answer("device.ear_implant", "Cochlear or other ear implant."),
        _answer("device.aneurysm_clip", "Aneurysm clip."),
        _answer("device.heart_valve", "Heart valve prosthesis or annuloplasty ring."),
        _answer("device.stent_coil_filter", "Stent, coil or vascular filter."),
        _answer("device.pump", "Infusion or insulin pump."),
        _answer("device.glucose_monitor", "Continuous glucose monitor or sensor."),
        _answer("device.programmable_shunt", "Programmable shunt."),
        _answer("device.port_catheter", "Vascular port or catheter."),
        _answer("device.orthopedic", "Orthopedic hardware: joints, plates, screws, rods."),
        _answer("device.eye_implant", "Eye implant or eyelid weight."),
        _answer("device.breast_expander", "Breast tissue expander."),
        _answer("device.magnetic_dental", "Magnetic dental implant or keeper."),
        _answer("device.iud", "Intrauterine device."),
        _answer("device.other", "Any other implant or device."),
        # items that come off or stay on the body
        _answer("item.hearing_aid", "Hearing aid (removed before Zone IV)."),
        _answer("item.medication_patch", "Medication patch (removed before Zone IV)."),
        _answer("body.piercing", "Body piercing."),
        _answer("body.tattoo", "Tattoo or permanent make-up."),
        # foreign bodies
        _answer("foreign_body.metal", "Shrapnel, bullets or other metal fragments in the body."),
        _answer("foreign_body.eye_injury", "An eye injury by a metal object or fragment."),
        _answer("foreign_body.eye_injury_treated", "Medical attention was sought for it."),
        _answer("foreign_body.eye_injury_imaging", "CT or MR of the orbits after the injury."),
        _answer("history.metalworking", "Worked with metal (grinding, welding, machining)."),
        # pregnancy, kidneys, contrast, comfort
        _answer("patient.pregnant", "Pregnant or possibly pregnant."),
        _answer("patient.breastfeeding", "Breastfeeding."),
        _answer("kidney.disease", "Kidney disease."),
        _answer("kidney.dialysis", "On dialysis."),
        _answer("kidney.acute_injury", "Acute kidney injury."),
        ScreeningFactSpec("kidney.egfr", "number", "Latest eGFR.", unit="mL/min/1.73m2"),
        ScreeningFactSpec("kidney.egfr_date", "date", "Date of that eGFR result."),
        _answer("contrast.prior_reaction", "Prior allergic-like reaction to gadolinium."),
        _answer("patient.claustrophobia", "Claustrophobia."),
        ScreeningFactSpec("patient.weight_kg", "number", "Body weight.", unit="kg"),
        ScreeningFactSpec("patient.height_cm", "number", "Height.", unit="cm"),
        # sign-offs recorded by the workflow, never answered on the form
        _answer("clearance.orbits", "A radiologist cleared the orbits (radiographs or CT/MR)."),
        _answer(
            "clearance.foreign_body",
            "A radiologist reviewed the shrapnel, bullet or metal fragments declared.",
        ),
        _answer(
            "clearance.metalworking",
            "A radiologist reviewed the metalworking history (no fragments found).",
        ),
        _answer("clearance.unreliable_history", "The supervising radiologist decided."),
        _answer("clearance.pregnancy", "Radiologist and referrer documented risk/benefit."),
        _answer("clearance.mrmd_risk_benefit", "The MRMD documented a risk/benefit decision."),
        _answer("clearance.contrast_reaction", "A radiologist reviewed the prior reaction."),
        _answer("clearance.low_egfr", "A radiologist approved contrast despite a low eGFR."),
        _answer(
            "clearance.contrast_pregnancy",
            "Radiologist and referrer documented why gadolinium is needed in pregnancy.",
        ),
        # unreliable-history work-up steps recorded by the workflow, never answered on the form
        _answer("workup.scar_examination", "Physical examination for scars recorded."),
        _answer(
            "workup.radiographs",
            "Radiographs of the chest and skull/orbits (and areas of concern) recorded.",
        ),
    )
}

WORKFLOW_ONLY: frozenset[str] = frozenset(n for n in SCREENING_FACTS if n.startswith("clearance."))
WORKUP_FACTS: frozenset[str] = frozenset(n for n in SCREENING_FACTS if n.startswith("workup."))
# facts that no form answers (sign-offs and work-up steps): a form may not set them
NOT_ANSWERED: frozenset[str] = WORKFLOW_ONLY | WORKUP_FACTS
