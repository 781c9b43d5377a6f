"""Report periods: a calendar month or year in the site's time zone.

Dates stored as local dates (visit, audit, due dates) are compared with
``start``/``end``; instants (scans, reports, sign-offs) with ``start_utc``/``end_utc``,
which are local midnights converted to UTC. An event at 23:30 local time on the
31st therefore belongs to that month whatever its UTC date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

KINDS = ("monthly", "annual")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


class PeriodError(ValueError):
    pass


def _local_midnight_utc(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: str  # monthly | annual
    start: date  # first local day
    end: date  # first local day after the period
    zone_name: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.zone_name)

    @property
    def label(self) -> str:
        """``2026-10`` for a month, ``2026`` for a year: URLs, file names, the CSV."""
        return f"{self.start:%Y-%m}" if self.kind == "monthly" else f"{self.start:%Y}"

    @property
    def title(self) -> str:
        return f"{self.start:%B %Y}" if self.kind == "monthly" else f"Year {self.start:%Y}"

    @property
    def start_utc(self) -> datetime:
        return _local_midnight_utc(self.start, self.zone)

    @property
    def end_utc(self) -> datetime:
        return _local_midnight_utc(self.end, self.zone)

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.end.toordinal() - 1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def previous(self) -> Period:
        step = 1 if self.kind == "monthly" else 12
        return Period(self.kind, _add_months(self.start, -step), self.start, self.zone_name)

    def months(self) -> list[Period]:
        """The calendar months inside the period (one for a monthly report)."""
        count = 1 if self.kind == "monthly" else 12
        return [month_period(_add_months(self.start, n), self.zone_name) for n in range(count)]

    def trailing_months(self, count: int) -> list[Period]:
        """The ``count`` months ending with the period's last month, oldest first."""
        last = _add_months(self.end, -1)
        return [month_period(_add_months(last, -n), self.zone_name) for n in reversed(range(count))]


def month_period(first: date, zone_name: str) -> Period:
    start = first.replace(day=1)
    return Period("monthly", start, _add_months(start, 1), zone_name)


def parse_period(kind: str, text: str, zone_name: str) -> Period:
    """``--month YYYY-MM`` (a year for annual reports may also be given as ``YYYY``)."""
    if kind not in KINDS:
        raise PeriodError(f"unknown report kind '{kind}' (monthly or annual)")
    text = (text or "").strip()
    month, year = _MONTH.match(text), _YEAR.match(text)
    if kind == "annual" and (year or month):
        first = date(int((year or month).group(1)), 1, 1)  # type: ignore[union-attr]
        if not 1900 <= first.year <= 2999:
            raise PeriodError(f"'{text}' is not a plausible year")
        return Period("annual", first, date(first.year + 1, 1, 1), zone_name)
    if not month or not 1 <= int(month.group(2)) <= 12 or not 1900 <= int(month.group(1)) <= 2999:
        raise PeriodError(f"'{text}' is not a month: use YYYY-MM, e.g. 2026-10")
    return month_period(date(int(month.group(1)), int(month.group(2)), 1), zone_name)


def default_period(kind: str, today: date, zone_name: str) -> Period:
    """The last complete period: the previous month, or the previous year."""
    if kind == "annual":
        return Period("annual", date(today.year - 1, 1, 1), date(today.year, 1, 1), zone_name)
    return month_period(_add_months(today.replace(day=1), -1), zone_name)


def is_complete(period: Period, today: date) -> bool:
    return period.end <= today
