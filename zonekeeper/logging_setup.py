"""Logging: one line per event, no PHI (log ids and codes, never names or answers)."""

from __future__ import annotations

import logging

from flask import Flask


def configure_logging(app: Flask) -> None:
    level = getattr(logging, str(app.config["LOG_LEVEL"]).upper(), logging.INFO)
    logging.getLogger("zonekeeper").setLevel(level)
    if not logging.getLogger().handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
