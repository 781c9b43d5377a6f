"""Physicians' sign-offs: the ``clearance.*`` facts the screening rules wait for.

A rule such as ``orbit-foreign-body-radiographs`` keeps a patient "not cleared"
*unless* ``clearance.orbits`` is true. Nobody answers that on the form: a
radiologist records it here, with the basis ("orbit radiographs, 2 views, read:
no foreign body"), and the screening is evaluated again with the fact set.

Who may sign which clearance is written once, in the step table
(rules/screening_steps.yaml, steps ``signoff.clearance.*``): the designations of
rules/personnel.yaml, held today, with current Level 2 training. As shipped:

- the MRMD's risk/benefit decision (abandoned leads, an incomplete system):
  ``mrmd`` only; a holistic decision on the whole screening, so bound like every
  sign-off to its answers and implants (a new implant needs a new decision);
- everything a radiologist decides (orbits, declared metal fragments, a
  metalworking history, unreliable history, pregnancy, contrast after a prior
  reaction, with a low eGFR or in pregnancy): ``level_2_physician`` or ``mrmd``;
- pregnancy decisions are documented by radiologist *and* referrer: the referring
  physician is named as co-signer.

Only a clearance that an action of the current decision asks for can be signed
(a sign-off recorded "in advance" would silently clear a later answer). Each
sign-off is bound to the answers and implants it was given on (a sha256
fingerprint): once either changes (here or in an amendment) it no longer applies,
is shown as "given on different answers", and the finding comes back until it is
recorded again. One clearance lifts one kind of finding: the metalworking review
never lifts declared shrapnel or fragments, nor the reverse. Sign-offs are
append-only: a wrong one is voided with a reason, and the finding comes back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_login import current_user
from sqlalchemy import select

from ..audit.services import record_event
from ..db import utcnow
from ..extensions import db
from ..policy import Policy
from ..policy.screening.facts import WORKFLOW_ONLY
from .authorization import step_actor, step_decision
from .models import Screening, ScreeningSignoff
from .services import ScreeningError, evaluate, screening_fingerprint, signoff_applies


@dataclass(frozen=True, slots=True)
class ClearanceKind:
    fact: str
    label: str  # "orbit clearance"
    signer: str  # who signs, in words
    actions: tuple[str, ...]  # the action codes (screening.yaml, contrast.yaml) asking for it
    basis_hint: str
    co_signer: str = ""  # the label of the second physician, when one is needed

    @property
    def button(self) -> str:
        return f"Record the {self.signer}'s {self.label}"


CLEARANCES: dict[str, ClearanceKind] = {
    kind.fact: kind
    for kind in (
        ClearanceKind(
            "clearance.orbits",
            "orbit clearance",
            "radiologist",
            ("orbit_radiographs", "radiologist_review_orbit_imaging"),
            "e.g. Orbit radiographs, 2 views, read: no metallic foreign body",
        ),
        ClearanceKind(
            "clearance.foreign_body",
            "foreign body review",
            "radiologist",
            ("radiologist_review",),
            "e.g. Chest radiograph reviewed: fragment non-ferromagnetic, away from vital organs",
        ),
        ClearanceKind(
            "clearance.metalworking",
            "metalworking history review",
            "radiologist",
            ("foreign_body_investigation",),
            "e.g. Welder: orbit radiographs and prior CT reviewed, no metal fragments",
        ),
        ClearanceKind(
            "clearance.unreliable_history",
            "decision on the unreliable history",
            "supervising radiologist",
            ("unreliable_history_workup",),
            "e.g. No scars; chest and skull/orbit radiographs show no implant or foreign body",
        ),
        ClearanceKind(
            "clearance.pregnancy",
            "pregnancy risk/benefit decision",
            "radiologist",
            ("pregnancy_risk_benefit",),
            "e.g. Suspected appendicitis: needed now, ultrasound inconclusive",
            co_signer="Referring physician",
        ),
        ClearanceKind(
            "clearance.mrmd_risk_benefit",
            "risk/benefit decision",
            "MR Medical Director",
            ("mrmd_risk_benefit",),
            "e.g. Abandoned lead: benefit outweighs the risk; 1.5 T, Normal Mode, monitored",
        ),
        ClearanceKind(
            "clearance.contrast_reaction",
            "review of the prior contrast reaction",
            "radiologist",
            ("radiologist_review_reaction",),
            "e.g. Mild urticaria 2019: premedicate per protocol and use gadobutrol",
        ),
        ClearanceKind(
            "clearance.low_egfr",
            "contrast approval despite the low eGFR",
            "radiologist",
            ("radiologist_approval_low_egfr",),
            "e.g. eGFR 25: contrast essential for the diagnosis; lowest diagnostic dose",
        ),
        ClearanceKind(
            "clearance.contrast_pregnancy",
            "decision on gadolinium in pregnancy",
            "radiologist",
            ("radiologist_review_pregnancy_contrast",),
            "e.g. Contrast needed to characterise the mass; cannot wait until after delivery",
            co_signer="Referring physician",
        ),
    )
}
assert set(CLEARANCES) == set(WORKFLOW_ONLY), "every clearance.* fact has a sign-off"
ACTION_CLEARANCE = {code: kind.fact for kind in CLEARANCES.values() for code in kind.actions}


def lineage_signoffs(screening: Screening) -> list[ScreeningSignoff]:
    """Every sign-off of this screening and its earlier versions, voided ones included
    (the ``clearance.*`` kinds above; the spatial gradient sign-offs, which carry values,
    are listed by gradient_signoffs.py)."""
    return list(
        db.session.scalars(
            select(ScreeningSignoff)
            .where(
                ScreeningSignoff.lineage == screening.lineage,
                ScreeningSignoff.clearance.in_(tuple(CLEARANCES)),
            )
            .order_by(ScreeningSignoff.id)
        )
    )


def valid_signoffs(screening: Screening) -> dict[str, ScreeningSignoff]:
    """The sign-offs that lift their finding now: not voided and given on these answers."""
    return {s.clearance: s for s in lineage_signoffs(screening) if signoff_applies(s, screening)}


def _unless_facts(policy: Policy) -> dict[str, set[str]]:
    """What lifts each rule or implant check: source id -> the clearance facts in its unless."""
    lifted: dict[str, set[str]] = {}
    rules: list[Any] = []
    if policy.screening is not None:
        rules.extend(policy.screening.rules)
        for check, config in policy.screening.implant_checks.items():
            lifted[f"implant.{check}"] = {c.fact for c in config.unless}
    if policy.contrast is not None:
        rules.extend(policy.contrast.rules)
    for rule in rules:
        lifted[rule.id] = {c.fact for c in rule.unless}
    return lifted


def _reason_sources(decision: Mapping[str, Any]) -> dict[str, set[str]]:
    """'implants[i]' -> the implant checks that reported on it."""
    found: dict[str, set[str]] = {}
    reasons = list(decision.get("reasons", [])) + list(
        decision.get("contrast", {}).get("reasons", [])
    )
    for reason in reasons:
        if reason.get("implant"):
            found.setdefault(reason["implant"], set()).add(reason["rule_id"])
    return found


def requested_clearances(
    decision: Mapping[str, Any] | None, policy: Policy
) -> dict[str, list[str]]:
    """The clearances the decision's actions ask for and that would lift their finding.

    Returns clearance fact -> the action codes asking for it. An action whose finding
    no sign-off lifts (an MR Unsafe implant: "refer to the MRMD" is advice, the rule has
    no ``unless``) is not offered a sign-off.
    """
    if not decision:
        return {}
    lifted = _unless_facts(policy)
    implant_checks = _reason_sources(decision)
    actions = list(decision.get("actions", [])) + list(
        decision.get("contrast", {}).get("actions", [])
    )
    wanted: dict[str, list[str]] = {}
    for action in actions:
        fact = ACTION_CLEARANCE.get(action.get("code", ""))
        if fact is None:
            continue
        source = action.get("source", "")
        sources = implant_checks.get(source, {source})
        if any(fact in lifted.get(s, set()) for s in sources):
            codes = wanted.setdefault(fact, [])
            if action["code"] not in codes:
                codes.append(action["code"])
    return wanted


def signoff_step(kind: ClearanceKind) -> str:
    """The step of rules/screening_steps.yaml that says who may sign ``kind``."""
    return f"signoff.{kind.fact}"


def signing_designation(kind: ClearanceKind, today: date, policy: Policy) -> str | None:
    """The designation under which the signed-in user may sign ``kind`` (None: may not)."""
    if not step_decision(signoff_step(kind), current_user, today, policy).allowed:
        return None
    actor = step_actor(current_user, today, policy)
    rule = policy.steps[signoff_step(kind)]
    return next((d for d in rule.designations if d in actor.designations), None)


def who_may_sign(kind: ClearanceKind, policy: Policy) -> str:
    rule = policy.steps.get(signoff_step(kind))
    return rule.who if rule is not None else "nobody (the policy has no rule for this sign-off)"


def _open_for_signoffs(screening: Screening) -> None:
    if screening.superseded:
        raise ScreeningError("This version was amended; record sign-offs on the newest version.")
    if screening.signed:
        raise ScreeningError(
            "The final check is done and the screening is locked: amend it to change a sign-off."
        )


def record_signoff(
    screening: Screening,
    clearance: str,
    basis: str,
    co_signer: str,
    today: date,
    policy: Policy,
) -> ScreeningSignoff:
    """Record a sign-off and evaluate again. Raises ScreeningError with a desk message."""
    _open_for_signoffs(screening)
    kind = CLEARANCES.get(clearance)
    if kind is None:
        raise ScreeningError("Unknown sign-off.")
    evaluation = screening.latest_evaluation
    if clearance not in requested_clearances(evaluation.decision if evaluation else None, policy):
        raise ScreeningError(f"Nothing on this screening asks for a {kind.label} now.")
    if clearance in valid_signoffs(screening):
        raise ScreeningError(f"The {kind.label} is already recorded; void it first to replace it.")
    decision = step_decision(signoff_step(kind), current_user, today, policy)
    designation = signing_designation(kind, today, policy)
    if not decision.allowed or designation is None:
        raise ScreeningError(
            f"{decision.text} Ask them to sign in with their own account and record it."
        )
    basis = " ".join(basis.split())
    if len(basis) < 10:
        raise ScreeningError("State the basis of the decision (what was read or reviewed).")
    co_signer = " ".join(co_signer.split())
    if kind.co_signer and not co_signer:
        raise ScreeningError(f"Name the {kind.co_signer.lower()} who shares this decision.")
    signoff = ScreeningSignoff(
        screening=screening,
        screening_id=screening.id,
        lineage=screening.lineage,
        clearance=clearance,
        basis=basis[:2000],
        co_signer=co_signer[:200] if kind.co_signer else "",
        designation=designation,
        signed_by_user_id=current_user.id,
        signed_by_person_id=current_user.person_id,
        fingerprint=screening_fingerprint(screening),
    )
    db.session.add(signoff)
    db.session.flush()
    record_event(
        "screening.signoff",
        f"Sign-off #{signoff.id} on screening #{screening.id}: {kind.label} ({designation})",
        target=screening,
        person_id=screening.person_id,
        after={"signoff": signoff.id, "clearance": clearance, "designation": designation},
    )
    evaluate(screening, "signoff", today, policy)
    return signoff


def void_signoff(
    screening: Screening, signoff_id: int, reason: str, today: date, policy: Policy
) -> ScreeningSignoff:
    """Void a wrong sign-off (kept, with the reason) and evaluate again: the finding returns.

    Any screener may void (it only ever brings a finding back: fails closed)."""
    _open_for_signoffs(screening)
    signoff = db.session.get(ScreeningSignoff, signoff_id)
    if signoff is None or signoff.lineage != screening.lineage:
        raise ScreeningError("No such sign-off on this screening.")
    if not signoff.valid:
        raise ScreeningError("This sign-off is already voided.")
    reason = " ".join(reason.split())
    if len(reason) < 5:
        raise ScreeningError("Give the reason for voiding the sign-off.")
    signoff.voided_at, signoff.voided_by_user_id = utcnow(), current_user.id
    signoff.void_reason = reason[:500]
    record_event(
        "screening.signoff_void",
        f"Voided sign-off #{signoff.id} on screening #{screening.id}",
        target=screening,
        person_id=screening.person_id,
        before={"signoff": signoff.id, "clearance": signoff.clearance},
        after={"reason": signoff.void_reason},
    )
    evaluate(screening, "signoff_void", today, policy)
    return signoff


STALE_SIGNOFF = "given on different answers: record it again if it still holds"


def signoff_rows(
    screening: Screening,
) -> Iterable[tuple[ClearanceKind, ScreeningSignoff, bool]]:
    """(kind, sign-off, applies): ``applies`` is False for a voided sign-off and for one
    given on other answers or implants than the screening has now (shown as such)."""
    return [
        (CLEARANCES[s.clearance], s, signoff_applies(s, screening))
        for s in lineage_signoffs(screening)
    ]
