"""The minimal baseline for the check-in benchmark: a bare Flask endpoint that verifies an
HMAC token and inserts one row. What ZoneKeeper does per scan, minus everything that matters."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from flask import Flask, jsonify, request
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, event, insert

KEY = os.environ["ZONEKEEPER_BADGE_KEY"].encode()
URL = os.environ["ZONEKEEPER_DATABASE_URL"]
metadata = MetaData()
scans = Table(
    "baseline_scans",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("badge", String(64)),
    Column("ok", Integer),
)
engine = create_engine(URL, pool_pre_ping=True)
if URL.startswith("sqlite"):

    @event.listens_for(engine, "connect")
    def _sqlite(connection, _record):  # type: ignore[no-untyped-def]
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA busy_timeout=5000")
        connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


metadata.create_all(engine)
app = Flask(__name__)


def _valid(text: str) -> bool:
    body = text.strip().upper()[3:]
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except ValueError:
        return False
    payload, mac = raw[:6], raw[6:]
    expected = hmac.new(KEY, b"zonekeeper-badge:" + payload, hashlib.sha256).digest()[:10]
    return hmac.compare_digest(mac, expected)


@app.post("/api/v1/doors/<code>/scans")
def scan(code: str):  # type: ignore[no-untyped-def]
    text = (request.get_json(silent=True) or {}).get("text", "")
    ok = _valid(text)
    with engine.begin() as connection:
        row = connection.execute(
            insert(scans).values(badge=text[:64], ok=int(ok))
        ).inserted_primary_key
    return jsonify(event_id=row[0], outcome="grant" if ok else "deny"), 201
