"""The screening workflow's refusals, and the check every new screening's date of birth gets."""

from __future__ import annotations

from datetime import date


class ScreeningError(ValueError):
    """A request the workflow refuses, with a message for the person at the desk."""


class BirthDateError(ScreeningError):
    """A date of birth no living person has: in the future, or more than 130 years ago."""


OLDEST_AGE_YEARS = 130


def check_birth_date(born: date, today: date) -> None:
    """Refuse a date of birth that cannot be right (a typo in the year, usually)."""
    if born > today:
        raise BirthDateError("The date of birth is in the future.")
    if (today.year - born.year) - ((today.month, today.day) < (born.month, born.day)) >= (
        OLDEST_AGE_YEARS
    ):
        raise BirthDateError(
            f"A date of birth {OLDEST_AGE_YEARS} or more years ago cannot be right: "
            "check the year on the wristband or the order."
        )
