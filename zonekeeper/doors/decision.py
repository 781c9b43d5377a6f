"""A door scan decided from a snapshot: no Flask, no SQLAlchemy, no clock of its own.

``decide_scan(snapshot)`` returns a ``Plan``: the events to append (each with the
presence it closes and opens), the escort-wait changes, and the answer. Emergencies and
expired escort waits are branches here, not another path. The policy engine
(``decide_zone_access``) is pure too; the facts each person brings are built by the
caller from the records it read (see scan_result.person_facts).

Every scan the reader API takes is decided here: scan_store.py builds the snapshot
(before the access log's lock, then again under it) and writes the plan. The cases in
tests/data/door_cases.yaml run against it (tests/unit/test_door_decision.py) and end to
end through the reader API (tests/functional/test_door_cases_api.py). The snapshot's and
plan's types are in scan_plan.py, the door's words in scan_texts.py.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..policy import Decision, Policy, decide_zone_access
from .scan_plan import (
    Answer,
    Enter,
    Expired,
    Holder,
    Place,
    Plan,
    PlannedEvent,
    Snapshot,
    WaitChange,
    Waiting,
)
from .scan_texts import (
    ANTI_PASSBACK_TEXT,
    EXPIRED_WAIT_TEXT,
    authorization_note,
    emergency_text,
    escorting_detail,
    wait_text,
)

__all__ = [
    "Answer",
    "Enter",
    "Expired",
    "Holder",
    "Place",
    "Plan",
    "PlannedEvent",
    "Snapshot",
    "WaitChange",
    "Waiting",
    "decide_scan",
    "escort_level",
]

ESCORT_FACTS = ("escort.id", "escort.training_level", "escort.training_age_days")


def decide_scan(s: Snapshot) -> Plan:
    events: list[PlannedEvent] = []
    waits: list[WaitChange] = []
    for gone in s.expired:  # every stale wait first: the log keeps the order of time
        waits.append(WaitChange("expire", gone.pending_id, len(events)))
        events.append(
            PlannedEvent(
                "expiry",
                gone.person_id,
                "deny",
                ["escort_timeout"],
                ["door.escort_window"],
                EXPIRED_WAIT_TEXT,
                related_event_id=gone.scan_event_id,
            )
        )
    if s.emergency is not None:
        return _during_emergency(s, events, waits)
    if s.direction == "out":
        return _exit(s, events, waits)
    return _entry(s, events, waits)


def _identified(s: Snapshot) -> Holder | None:
    return s.holder if s.holder is not None and s.badge_status == "valid" else None


def _passback(place: Place | None, s: Snapshot) -> bool:
    return (
        place is not None
        and place.zone == s.to_zone
        and (s.room_id is None or place.room_id == s.room_id)
    )


def _fired(decision: Decision) -> tuple[list[str], list[str]]:
    return list(decision.codes), [r.rule_id for r in decision.reasons]


def _reasons(decision: Decision) -> list[dict[str, str]]:
    return [{"code": r.code, "text": r.text, "rule": r.rule_id} for r in decision.reasons]


def _deny(
    s: Snapshot,
    events: list[PlannedEvent],
    waits: list[WaitChange],
    codes: list[str],
    rules: list[str],
    text: str,
) -> Plan:
    person = s.holder.id if s.holder is not None else None
    events.append(PlannedEvent("scan", person, "deny", codes, rules, text))
    name = s.holder.name if s.holder is not None else None
    return Plan(events, waits, Answer("deny", "DENIED", text, name, codes), len(events) - 1)


def _entry(s: Snapshot, events: list[PlannedEvent], waits: list[WaitChange]) -> Plan:
    facts = dict(s.holder.facts) if s.holder is not None else {"person.kind": "unidentified"}
    facts.update({"target_zone": s.to_zone, "badge.status": s.badge_status})
    decision = decide_zone_access(s.policy, facts)
    codes, rules = _fired(decision)
    holder = s.holder
    if decision.outcome == "grant" and holder is not None:
        return _grant(s, events, waits, holder, decision)
    if holder is not None and s.badge_status == "valid" and decision.outcome == "deny":
        level = escort_level(s.policy, facts)
        if level is not None:
            if _passback(holder.place, s) and s.anti_passback == "hard":
                return _deny(
                    s, events, waits, ["anti_passback"], ["door.anti_passback"], ANTI_PASSBACK_TEXT
                )
            return _wait(s, events, waits, holder, decision, level)
    plan = _deny(s, events, waits, codes, rules, decision.reasons[0].text)
    plan.answer.reasons = _reasons(decision)
    return plan


def escort_level(policy: Policy, facts: dict[str, Any]) -> str | None:
    """The lowest escort level that would admit the person (None if none would)."""
    for level in ("level_1", "level_2"):
        with_escort = {
            **facts,
            "person.level_2_authorized": bool(facts.get("person.level_2_authorized"))
            or level == "level_2",
            "escort.id": f"any-{level}",
            "escort.training_level": level,
            "escort.training_age_days": 0,
            "escort.screening_status": "cleared",
        }
        if decide_zone_access(policy, with_escort).outcome == "grant_with_escort":
            return level
    return None


def _grant(
    s: Snapshot,
    events: list[PlannedEvent],
    waits: list[WaitChange],
    holder: Holder,
    decision: Decision,
) -> Plan:
    flags: list[str] = []
    if _passback(holder.place, s):
        if s.anti_passback == "hard":
            return _deny(
                s, events, waits, ["anti_passback"], ["door.anti_passback"], ANTI_PASSBACK_TEXT
            )
        flags.append("passback")
    codes, rules = _fired(decision)
    text = f"{holder.name}: {decision.reasons[0].text}"
    scan_index = len(events)
    events.append(
        PlannedEvent(
            "scan",
            holder.id,
            "grant",
            codes,
            rules,
            text,
            flags,
            close=holder.place.id if holder.place else None,
            enter=Enter(holder.id, s.to_zone, s.room_id, None),
        )
    )
    escorting, still, notes = _pair(s, events, waits, holder)
    headline, detail = "GRANTED", text
    if escorting:
        headline = "ESCORTING"
        detail = escorting_detail(escorting, notes)
    elif still:
        detail = f"{text} Still waiting for a Level 2 escort: {', '.join(still)}."
    if "passback" in flags:
        detail += " Note: no exit recorded since the last entry."
    answer = Answer("grant", headline, detail, holder.name, codes, flags, escorting, still)
    answer.reasons = _reasons(decision)
    return Plan(events, waits, answer, scan_index)


def _pair(
    s: Snapshot, events: list[PlannedEvent], waits: list[WaitChange], escort: Holder
) -> tuple[list[str], list[str], list[str]]:
    escorting: list[str] = []
    still: list[str] = []
    notes: list[str] = []
    for waiting in s.waiting:
        person = waiting.holder
        if person.id == escort.id:
            continue
        facts = {
            **person.facts,
            "target_zone": s.to_zone,
            **escort.escort_facts,
            "person.level_2_authorized": escort.level == "level_2"
            or bool(person.facts.get("person.level_2_authorized")),
        }
        decision = decide_zone_access(s.policy, facts)
        if decision.outcome != "grant_with_escort":
            still.append(person.name)
            continue
        codes, rules = _fired(decision)
        passback = _passback(person.place, s)
        if passback and s.anti_passback == "hard":
            waits.append(WaitChange("refuse", waiting.pending_id, len(events)))
            events.append(
                PlannedEvent(
                    "pairing",
                    person.id,
                    "deny",
                    ["anti_passback"],
                    ["door.anti_passback"],
                    ANTI_PASSBACK_TEXT,
                    escort_person_id=escort.id,
                    related_event_id=waiting.scan_event_id,
                )
            )
            still.append(person.name)
            continue
        text = f"{person.name} escorted by {escort.name}"
        for reason in decision.reasons:  # not screened: the escort and the log say so
            if reason.code == "no_screen_exception":
                notes.append(f"{person.name}: {reason.text}")
                text += f" ({reason.text})"
        if escort.level != "level_2" and person.authorized_by:
            note = authorization_note(person.name, person.authorized_by)
            notes.append(note)
            text += f" ({note})"
        waits.append(WaitChange("pair", waiting.pending_id, len(events)))
        events.append(
            PlannedEvent(
                "pairing",
                person.id,
                "grant_with_escort",
                codes,
                rules,
                text,
                ["passback"] if passback else [],
                escort_person_id=escort.id,
                related_event_id=waiting.scan_event_id,
                close=person.place.id if person.place else None,
                enter=Enter(person.id, s.to_zone, s.room_id, escort.id),
            )
        )
        escorting.append(person.name)
    return escorting, still, notes


def _wait(
    s: Snapshot,
    events: list[PlannedEvent],
    waits: list[WaitChange],
    holder: Holder,
    decision: Decision,
    level: str,
) -> Plan:
    window = s.escort_window_seconds
    text = wait_text(holder.name, level, window)
    codes, rules = _fired(decision)
    waits.append(WaitChange("open", None, len(events), s.now + timedelta(seconds=window)))
    events.append(PlannedEvent("scan", holder.id, "escort_pending", codes, rules, text))
    answer = Answer(
        "escort_pending",
        "ESCORT NEEDED",
        text,
        holder.name,
        codes,
        escort_window_seconds=window,
        reasons=_reasons(decision),
    )
    return Plan(events, waits, answer, len(events) - 1)


def _exit(s: Snapshot, events: list[PlannedEvent], waits: list[WaitChange]) -> Plan:
    """Leaving is never refused (egress is a life-safety matter); it is recorded."""
    holder = _identified(s)
    if holder is None:
        text = "Exit: badge not recognised"
        events.append(
            PlannedEvent(
                "scan",
                s.holder.id if s.holder else None,
                "exit",
                [f"badge_{s.badge_status}"],
                ["door.exit"],
                text,
            )
        )
        answer = Answer(
            "exit",
            "EXIT RECORDED",
            text,
            s.holder.name if s.holder else None,
            [f"badge_{s.badge_status}"],
        )
        return Plan(events, waits, answer, len(events) - 1)
    entered = holder.place is not None and holder.place.zone == s.to_zone
    flags = [] if entered else ["no_entry_recorded"]
    escort = holder.place.escort_id if holder.place else None
    text = f"Exit recorded: {holder.name}"
    events.append(
        PlannedEvent(
            "scan",
            holder.id,
            "exit",
            ["exit_recorded"],
            ["door.exit"],
            text,
            flags,
            close=holder.place.id if holder.place else None,
            enter=Enter(holder.id, s.from_zone, None, escort) if s.from_restricted else None,
        )
    )
    answer = Answer("exit", "EXIT RECORDED", text, holder.name, ["exit_recorded"], flags)
    return Plan(events, waits, answer, len(events) - 1)


def _during_emergency(s: Snapshot, events: list[PlannedEvent], waits: list[WaitChange]) -> Plan:
    """The door logs and does not decide: the muster list must be right."""
    kind = s.emergency or "other"
    holder = _identified(s)
    going = "leaving" if s.direction == "out" else "entering"
    where = s.from_zone if s.direction == "out" else s.to_zone
    name = holder.name if holder else "unidentified badge"
    text = emergency_text(name, going, where)
    flags: list[str] = []
    if (
        holder is not None
        and s.direction == "in"
        and s.to_zone == "IV"
        and kind in ("fire", "quench")
    ):
        flags.append("zone_iv_entry_in_emergency")  # the muster screen raises an alert
    enter: Enter | None = None
    if holder is not None:
        if s.direction == "in":
            enter = Enter(holder.id, s.to_zone, s.room_id, None)
        elif s.from_restricted:
            enter = Enter(holder.id, s.from_zone, None, None)
    events.append(
        PlannedEvent(
            "scan",
            s.holder.id if s.holder else None,
            "emergency_logged",
            ["emergency_mode", f"badge_{s.badge_status}"],
            ["door.emergency"],
            text,
            flags,
            close=holder.place.id if holder and holder.place else None,
            enter=enter,
        )
    )
    answer = Answer(
        "emergency_logged",
        f"EMERGENCY: {kind.upper()}",
        text,
        s.holder.name if s.holder else None,
        ["emergency_mode", f"badge_{s.badge_status}"],
        flags,
    )
    return Plan(events, waits, answer, len(events) - 1)
