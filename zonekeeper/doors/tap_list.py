"""The kiosk's tap list: today's wristbands, shown by initials and year of birth only.

A kiosk stands in a corridor; a patient's full name there is PHI on a public screen.
Initials and the year of birth are enough for the person at the door to find themselves
(the technologist beside them checks the wristband as usual).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..badges.wristbands import todays_wristbands
from ..extensions import db
from ..screening.models import ScreeningSubject


@dataclass(frozen=True, slots=True)
class TapEntry:
    initials: str  # "E. V."
    year_of_birth: int | None
    kind: str  # patient | companion
    code: str  # the wristband's code, scanned when the entry is tapped

    @property
    def label(self) -> str:
        born = f" · born {self.year_of_birth}" if self.year_of_birth else ""
        return f"{self.initials}{born}"


def initials(given: str, family: str) -> str:
    return " ".join(f"{name.strip()[0].upper()}." for name in (given, family) if name.strip())


def tap_list(today: date) -> list[TapEntry]:
    wristbands = todays_wristbands(today)
    ids = [person.id for person, _ in wristbands]
    born: dict[int, date] = {
        person_id: birth
        for person_id, birth in db.session.execute(
            select(ScreeningSubject.person_id, ScreeningSubject.date_of_birth).where(
                ScreeningSubject.person_id.in_(ids)
            )
        )
    }
    entries = [
        TapEntry(
            initials(person.given_name, person.family_name),
            born[person.id].year if person.id in born else None,
            "patient" if person.kind == "patient" else "companion",
            code,
        )
        for person, code in wristbands
    ]
    return sorted(entries, key=lambda e: (e.initials, e.year_of_birth or 0, e.kind))
