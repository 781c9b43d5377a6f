"""What the door says: the words of the decision's events and answers (pure)."""

from __future__ import annotations

ANTI_PASSBACK_TEXT = (
    "Already recorded inside: badge out before entering again (anti-passback). "
    "If the exit was missed, call the MRSO."
)
EXPIRED_WAIT_TEXT = "Escort wait expired: badge again with your escort."
SYSTEM_ERROR_TEXT = (
    "The decision could not be made. Do not enter: follow the paper procedure and call the MRSO."
)


def wait_text(name: str, level: str, window: int) -> str:
    who = "A Level 2 MR person" if level == "level_2" else "A Level 1 or Level 2 MR person"
    return (
        f"{name} may enter only with an escort. "
        f"{who} must badge at this door within {window} seconds."
    )


def authorization_note(name: str, authorized_by: str | None) -> str:
    """Whose Level 2 authorization admitted ``name`` with a Level 1 escort."""
    return f"{name}: Level 2 authorization by {authorized_by}."


def escorting_detail(escorting: list[str], notes: list[str]) -> str:
    return " ".join([f"Escorting {', '.join(escorting)}. Stay with them.", *notes])


def emergency_text(name: str, going: str, where: str) -> str:
    return f"Logged: {name} {going} Zone {where}. Badge scans are logged, not decided."
