"""An MRSE's or Level 2 MR physician's sign-off of the spatial field gradient at an
implant's position on one scanner (issue #11 item 3).

When an implant's label allows a lower spatial gradient than a scanner's worst case and
the scanner's table cannot show the limit is met where the implant will be, the decision
asks to "confirm the spatial gradient at the implant's position". The physicist (or a
Level 2 MR physician) records the value there, where it applies and its source. It is a
value, not a yes/no fact: it is stored as a :class:`ScreeningSignoff` with
``clearance="clearance.spatial_gradient"`` and ``details`` and reaches the engine as a
:class:`GradientAssessment` (``evaluation.gradient_assessments``); a value above the
label's limit makes the implant not cleared on that scanner.

Like every sign-off it is append-only, bound to the answers and implants it was given on
(``fingerprint``), only possible while the decision asks for it, and voided with a reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_login import current_user
from sqlalchemy import select

from ..audit.services import record_event
from ..db import utcnow
from ..extensions import db
from ..policy import Policy
from ..policy.screening.units import UnitError, to_internal
from ..site.models import Scanner
from .authorization import authorize_step, step_actor
from .evaluation import GRADIENT_CLEARANCE, read_implants
from .models import Screening, ScreeningSignoff
from .services import ScreeningError, evaluate, screening_fingerprint, signoff_applies

STEP = f"signoff.{GRADIENT_CLEARANCE}"
ASKING_CHECKS = ("implant.spatial_gradient_unconfirmed", "implant.spatial_gradient_exceeded")
UNITS = ("T/m", "G/cm")


@dataclass(frozen=True, slots=True)
class GradientRequest:
    """One (implant, scanner) the current decision asks a gradient sign-off for."""

    implant_index: int
    implant_name: str
    scanner: str
    booked: bool


def _implant_index(where: Any) -> int | None:
    if isinstance(where, str) and where.startswith("implants[") and where.endswith("]"):
        digits = where[len("implants[") : -1]
        return int(digits) if digits.isdigit() else None
    return None


def requested_gradient_signoffs(
    screening: Screening, decision: dict[str, Any] | None
) -> list[GradientRequest]:
    """What the decision asks for: the booked scanner's reasons and every other scanner's
    eligibility reasons whose finding a signed-off value would settle."""
    if not decision or screening.superseded or screening.signed:
        return []
    names = {
        i: imp.get("description", f"Implant {i + 1}")
        for i, imp in enumerate(screening.implants or [])
    }
    found: dict[tuple[int, str], GradientRequest] = {}
    for scanner in decision.get("eligible_scanners", []):
        for reason in scanner.get("reasons", []):
            index = _implant_index(reason.get("implant"))
            if reason.get("rule_id") in ASKING_CHECKS and index is not None and index in names:
                key = (index, scanner["scanner"])
                found[key] = GradientRequest(
                    index, names[index], scanner["scanner"], bool(scanner.get("booked"))
                )
    return sorted(found.values(), key=lambda r: (not r.booked, r.scanner, r.implant_index))


def gradient_signoffs(screening: Screening) -> list[tuple[ScreeningSignoff, bool]]:
    """Every gradient sign-off of the lineage (voided ones included) and whether it applies."""
    rows = db.session.scalars(
        select(ScreeningSignoff)
        .where(
            ScreeningSignoff.lineage == screening.lineage,
            ScreeningSignoff.clearance == GRADIENT_CLEARANCE,
        )
        .order_by(ScreeningSignoff.id)
    )
    return [(s, signoff_applies(s, screening)) for s in rows]


def read_gradient(value: Any, unit: Any) -> float:
    """A value typed at the desk, in T/m or G/cm, as T/m; ScreeningError if impossible."""
    if unit not in UNITS:
        raise ScreeningError("Choose the unit of the gradient: T/m or G/cm.")
    text = str(value or "").strip().replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        raise ScreeningError(
            f"The spatial gradient must be a number (e.g. 4 T/m or 400 G/cm), not '{text[:20]}'."
        ) from None
    if not math.isfinite(number):
        raise ScreeningError("The spatial gradient must be a finite number.")
    try:
        return to_internal("spatial_gradient", number, str(unit))
    except UnitError as exc:
        raise ScreeningError(f"The spatial gradient: {exc}.") from None


def _clean(text: str, label: str, minimum: int, maximum: int) -> str:
    cleaned = " ".join((text or "").split())
    if len(cleaned) < minimum:
        raise ScreeningError(f"State the {label}.")
    if len(cleaned) > maximum:
        raise ScreeningError(f"The {label} is longer than {maximum} characters.")
    return cleaned


def _open(screening: Screening) -> None:
    if screening.superseded:
        raise ScreeningError("This version was amended; record sign-offs on the newest version.")
    if screening.signed:
        raise ScreeningError(
            "The final check is done and the screening is locked: amend it to change a sign-off."
        )


def record_gradient_signoff(
    screening: Screening,
    *,
    implant_index: int,
    scanner_id: int,
    value: Any,
    unit: Any,
    position: str,
    source: str,
    basis: str,
    today: date,
    policy: Policy,
) -> ScreeningSignoff:
    """Record the value and evaluate again. ScreeningError (nothing changed) if refused."""
    _open(screening)
    authorize_step(STEP, current_user, today, policy)
    held = step_actor(current_user, today, policy).designations
    # the designation signed as: the first of the step table's that the signer holds
    designation = next((d for d in policy.steps[STEP].designations if d in held), None)
    if designation is None:  # a table without designations for this step: refuse
        raise ScreeningError(f"Only {policy.steps[STEP].who} may sign this.")
    scanner = db.session.get(Scanner, scanner_id)
    implants, _problems = read_implants(screening.implants, today)
    evaluation = screening.latest_evaluation
    asked = requested_gradient_signoffs(screening, evaluation.decision if evaluation else None)
    if (
        scanner is None
        or implants is None
        or not any(r.implant_index == implant_index and r.scanner == scanner.name for r in asked)
    ):
        raise ScreeningError(
            "Nothing on this screening asks for the spatial gradient of that implant on that "
            "scanner now."
        )
    t_per_m = read_gradient(value, unit)
    position = _clean(position, "position where the value applies", 3, 200)
    source = _clean(source, "source of the value (document, page, measurement)", 3, 300)
    basis = _clean(basis, "basis of the sign-off (at least 10 characters)", 10, 2000)
    for signoff, applies in gradient_signoffs(screening):
        details = signoff.details or {}
        same = details.get("implant") == implant_index and details.get("scanner") == scanner.name
        if applies and same:
            raise ScreeningError(
                "A spatial gradient is already signed off for this implant and scanner; void "
                "it first to replace it."
            )
    implant = implants[implant_index]
    signoff = ScreeningSignoff(
        screening=screening,
        screening_id=screening.id,
        lineage=screening.lineage,
        clearance=GRADIENT_CLEARANCE,
        basis=basis,
        designation=designation,
        signed_by_user_id=current_user.id,
        signed_by_person_id=current_user.person_id,
        fingerprint=screening_fingerprint(screening),
        details={
            "implant": implant_index,
            "implant_name": implant.name,
            "scanner_id": scanner.id,
            "scanner": scanner.name,
            "value_t_per_m": t_per_m,
            "position": position,
            "source": source,
        },
    )
    db.session.add(signoff)
    db.session.flush()
    record_event(
        "screening.signoff",
        f"Sign-off #{signoff.id} on screening #{screening.id}: spatial gradient "
        f"{t_per_m:g} T/m at implant {implant_index + 1} on {scanner.name} ({designation})",
        target=screening,
        person_id=screening.person_id,
        after={"signoff": signoff.id, "clearance": GRADIENT_CLEARANCE, **signoff.details},
    )
    evaluate(screening, "signoff", today, policy)
    return signoff


def void_gradient_signoff(
    screening: Screening, signoff_id: int, reason: str, today: date, policy: Policy
) -> ScreeningSignoff:
    """Void a wrong value (kept, with the reason) and evaluate again: the finding returns.
    Anyone who may open the screening may void: a void only ever takes a clearance away."""
    _open(screening)
    signoff = db.session.get(ScreeningSignoff, signoff_id)
    if (
        signoff is None
        or signoff.lineage != screening.lineage
        or signoff.clearance != GRADIENT_CLEARANCE
    ):
        raise ScreeningError("No such spatial gradient sign-off on this screening.")
    if not signoff.valid:
        raise ScreeningError("This sign-off is already voided.")
    reason = _clean(reason, "reason for voiding the sign-off (at least 5 characters)", 5, 500)
    signoff.voided_at, signoff.voided_by_user_id = utcnow(), current_user.id
    signoff.void_reason = reason
    record_event(
        "screening.signoff_void",
        f"Voided sign-off #{signoff.id} on screening #{screening.id} (spatial gradient)",
        target=screening,
        person_id=screening.person_id,
        before={"signoff": signoff.id, "clearance": GRADIENT_CLEARANCE},
        after={"reason": reason},
    )
    evaluate(screening, "signoff_void", today, policy)
    return signoff
