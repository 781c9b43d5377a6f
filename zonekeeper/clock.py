"""The site's calendar day. Training and screening dates are local dates."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app

from .db import utcnow


def site_today() -> date:
    return utcnow().astimezone(ZoneInfo(current_app.config["SITE_TIMEZONE"])).date()
