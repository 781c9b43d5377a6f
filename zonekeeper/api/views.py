"""The reader API: kiosks and hardware readers post scans here."""

from __future__ import annotations

import json
import logging
from typing import Any

import psycopg
import sqlalchemy.exc
from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from ..badges.services import scanned_badge_id
from ..db import begin_scan
from ..doors.emergency import active_emergency, emergency_instructions
from ..doors.scan_result import DoorRef
from ..doors.scan_store import DIRECTIONS, ReadBadge, record_scan
from ..extensions import csrf, db
from .door_auth import MAX_DOOR_CODE, authorise_scan
from .openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
log = logging.getLogger(__name__)

MAX_SCAN_BODY = 4096  # bytes; a badge token is 32 characters
NOT_JSON = [{"field": "", "problem": "the body is not JSON"}]


def problem(status: int, error: str, message: str, **extra: Any) -> ResponseReturnValue:
    return jsonify(error=error, message=message, **extra), status


def _authorised_door(
    code: str, badge_id: int | None = None
) -> tuple[DoorRef | None, str | None, ResponseReturnValue | None, ReadBadge | None]:
    door, source, status, badge = authorise_scan(code, badge_id)
    if door is None:
        log.warning("scan for unknown door %r", code[:MAX_DOOR_CODE])
        return None, None, problem(404, "unknown_door", "There is no door with this code."), None
    if source is None:
        log.warning("scan at door %s refused: %s", door.code, status)
        message = (
            "A valid device token (Authorization: Bearer ...) or a kiosk session "
            "for this door is required."
        )
        error = "unauthorized" if status == 401 else "forbidden"
        return door, None, problem(status, error, message), None
    return door, source, None, badge


@bp.post("/doors/<code>/scans")
@csrf.exempt  # bearer-token readers; kiosk sessions are CSRF-checked in scan_source
def door_scan(code: str) -> ResponseReturnValue:
    if (request.content_length or 0) > MAX_SCAN_BODY:
        return problem(413, "payload_too_large", f"A scan is at most {MAX_SCAN_BODY} bytes.")
    raw = request.get_data(cache=False)
    if len(raw) > MAX_SCAN_BODY:
        return problem(413, "payload_too_large", f"A scan is at most {MAX_SCAN_BODY} bytes.")
    body, problems = _parse_scan(raw)
    # a genuine badge token's records are read with the door, in one round trip
    badge_id = scanned_badge_id(body["text"]) if not problems else None
    begin_scan(db.session)  # reads first; the scan's locked part is its own transaction
    try:
        door, source, refusal, badge = _authorised_door(code, badge_id)
    except (psycopg.OperationalError, sqlalchemy.exc.OperationalError):
        raise  # the database is unreachable: 503, the kiosk shows OFFLINE
    except Exception:
        if badge_id is None:
            raise
        # what the scan carried broke the read (a value the database refuses, a record it
        # cannot load): the door is read again alone, and the scan is decided (it fails
        # closed and is logged as a system_error deny), never a 500 with nothing logged
        log.exception("reading the badge of a scan at door %r failed", code[:MAX_DOOR_CODE])
        db.session.rollback()
        begin_scan(db.session)
        door, source, refusal, badge = _authorised_door(code)
    if refusal is not None or door is None or source is None:
        return refusal  # who may post is answered before what they posted
    if problems:
        log.warning(
            "scan at door %s rejected: %s", door.code, "; ".join(p["problem"] for p in problems)
        )
        if problems is NOT_JSON:
            return problem(
                400, "invalid_json", 'Send JSON: {"text": "<scanned text>", "direction": "in"}.'
            )
        return problem(422, "invalid_scan", "The scan could not be used.", problems=problems)
    result = record_scan(door, body["text"], body.get("direction", "in"), source, badge)
    # the answer's fields are plain JSON values: dumped directly (a reader waits on it)
    return Response(json.dumps(result.answer), 201, mimetype="application/json")


def _parse_scan(raw: bytes) -> tuple[Any, list[dict[str, str]]]:
    """The body and what is wrong with it (``NOT_JSON`` when it is not JSON at all)."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # deep nesting too: a 400
        return None, NOT_JSON
    return body, _scan_problems(body)


def _scan_problems(body: Any) -> list[dict[str, str]]:
    if not isinstance(body, dict):
        return [{"field": "", "problem": "the body must be a JSON object"}]
    problems = []
    unknown = sorted(set(body) - {"text", "direction"})
    if unknown:
        problems.append({"field": unknown[0][:40], "problem": "unknown field"})
    text = body.get("text")
    if not isinstance(text, str):
        problems.append({"field": "text", "problem": "the scanned text is required (a string)"})
    elif not text.strip():
        problems.append({"field": "text", "problem": "the scanned text is empty"})
    if body.get("direction", "in") not in DIRECTIONS:
        problems.append({"field": "direction", "problem": "must be 'in' or 'out'"})
    return problems


@bp.get("/doors/<code>/status")
def door_status(code: str) -> ResponseReturnValue:
    """What a kiosk polls: the door, and any declared emergency (also its online check)."""
    door, _source, refusal, _badge = _authorised_door(code)
    if refusal is not None or door is None:
        return refusal
    emergency = active_emergency()
    return jsonify(
        door={
            "code": door.code,
            "name": door.name,
            "from_zone": door.from_zone,
            "to_zone": door.to_zone,
        },
        emergency=None
        if emergency is None
        else {"kind": emergency.kind, "instructions": emergency_instructions(emergency.kind)},
    )


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(openapi_document())
