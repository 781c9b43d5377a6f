"""Configuration: defaults here, then ``ZONEKEEPER_*`` environment variables,
then the mapping passed to ``create_app`` (tests).

Nothing reads the environment at import time; :func:`build_config` is called
by ``create_app``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

CHECKOUT = Path(__file__).resolve().parent.parent

# Every setting a site may change, with its default. The README lists them.
DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": None,  # required outside tests: ZONEKEEPER_SECRET_KEY
    "DATABASE_URL": None,  # default: SQLite file under INSTANCE_DIR
    "INSTANCE_DIR": str(CHECKOUT / "instance"),
    "RULES_DIR": str(CHECKOUT / "rules"),
    "FORMS_DIR": str(CHECKOUT / "forms"),
    "TEMPLATES_DIR": str(CHECKOUT / "templates"),
    "REPORTS_DIR": str(CHECKOUT / "reports"),
    "COURSES_DIR": str(CHECKOUT / "courses"),  # annual MR safety training courses (issue #14)
    "SITE_NAME": "",  # shown next to the logo, e.g. "Riverside General · MRI"
    "SITE_TIMEZONE": "UTC",  # IANA name, e.g. America/Chicago: decides what "today" is
    "SQLITE_BUSY_TIMEOUT_MS": 5000,
    "BADGE_KEY": None,  # required outside tests: ZONEKEEPER_BADGE_KEY, signs badge QR tokens
    "AUDIT_KEY": None,  # required outside tests: ZONEKEEPER_AUDIT_KEY, keys the audit hash chain
    "SESSION_IDLE_MINUTES": 15,
    "SESSION_MAX_HOURS": 12,
    "SIGN_IN_MAX_FAILURES_PER_ACCOUNT": 5,
    "SIGN_IN_MAX_FAILURES_PER_ADDRESS": 20,
    "SIGN_IN_WINDOW_MINUTES": 15,
    "TRUSTED_PROXIES": 0,  # reverse proxies in front of the app (for the client address)
    "MAX_UPLOAD_MB": 5,
    "HTTPS": False,  # set true behind TLS: Secure cookies and HSTS
    "LOG_LEVEL": "INFO",
    # door check-in
    "ESCORT_WINDOW_SECONDS": 30,  # a Non-MR scan waits this long for its escort to badge
    "ANTI_PASSBACK": "soft",  # soft: a second entry is granted and flagged; hard: denied
    "STALE_ENTRY_HOURS": 12,  # inside longer than this: shown apart as probably missed exits
    "KIOSK_SESSION_DAYS": 30,  # kiosk stations stay signed in (no idle timeout) this long
    # training (issue #14)
    "TRAINING_LEVEL_2_COSIGN": False,  # a Level 2 pass waits for an MRSO co-signature
    "STAFF_SETUP_CODE_HOURS": 72,  # a first-sign-in code shown to the MRSO expires after this
    "VERIFY_MAX_UNKNOWN_PER_ADDRESS": 20,  # unknown certificate codes per address per window
    "SMTP_HOST": "",  # training reminders by e-mail when set
    "SMTP_PORT": 25,
    "SMTP_FROM": "zonekeeper@localhost",
    "SMTP_USERNAME": "",
    "SMTP_PASSWORD": "",
    "SMTP_STARTTLS": False,
}


def build_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then environment (``ZONEKEEPER_X`` sets ``X``), then overrides."""
    config = dict(DEFAULTS)
    prefix = "ZONEKEEPER_"
    for key, raw in os.environ.items():
        if key.startswith(prefix) and key[len(prefix) :] in DEFAULTS:
            name = key[len(prefix) :]
            config[name] = _coerce(raw, DEFAULTS[name])
    config.update(overrides or {})
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{Path(config['INSTANCE_DIR']) / 'zonekeeper.db'}"
    return config


def _coerce(raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError as exc:
            raise ValueError(f"expected a whole number, got {raw!r}") from exc
    return raw


def default_forms_dir() -> str:
    """The questionnaire directory the CLI uses when none is given."""
    return os.environ.get("ZONEKEEPER_FORMS_DIR") or DEFAULTS["FORMS_DIR"]


def default_rules_dir() -> str:
    """The rules directory the CLI uses when none is given."""
    return os.environ.get("ZONEKEEPER_RULES_DIR") or DEFAULTS["RULES_DIR"]


def default_reports_dir() -> str:
    """The report definitions directory the CLI uses when none is given."""
    return os.environ.get("ZONEKEEPER_REPORTS_DIR") or DEFAULTS["REPORTS_DIR"]


def default_courses_dir() -> str:
    """The training courses directory the CLI uses when none is given."""
    return os.environ.get("ZONEKEEPER_COURSES_DIR") or DEFAULTS["COURSES_DIR"]
