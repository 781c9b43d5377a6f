"""The site's calendar day. Training and screening dates are local dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

from .db import utcnow


def site_today() -> date:
    return utcnow().astimezone(ZoneInfo(current_app.config["SITE_TIMEZONE"])).date()


def site_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["SITE_TIMEZONE"])


def site_to_utc(local: datetime) -> datetime:
    """A wall-clock time entered at the site (naive) as an aware UTC datetime."""
    return local.replace(tzinfo=site_zone()).astimezone(UTC)


def site_time(moment: datetime | None) -> str:
    """Jinja filter: an aware datetime in site time, e.g. 2026-11-24 14:05."""
    return moment.astimezone(site_zone()).strftime("%Y-%m-%d %H:%M") if moment else ""
