"""The OpenAPI 3.1 document served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from .screening_openapi import SCREENING_PATHS, SCREENING_SCHEMAS, SESSION_SCHEME

ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "examples": ["unknown_door"]},
        "message": {"type": "string"},
        "problems": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "problem": {"type": "string"}},
            },
        },
    },
}

SCAN_RESULT = {
    "type": "object",
    "required": ["event_id", "outcome", "headline", "display_text", "reason_codes"],
    "properties": {
        "event_id": {"type": "integer", "description": "The access log event of this scan."},
        "seq": {"type": "integer", "description": "Its place in the hash-chained log."},
        "outcome": {
            "enum": ["grant", "escort_pending", "deny", "exit", "emergency_logged"],
            "description": "Only 'grant' opens the door. 'escort_pending': an eligible escort "
            "must badge at this door within escort_window_seconds.",
        },
        "headline": {
            "type": "string",
            "examples": ["GRANTED", "ESCORTING", "ESCORT NEEDED", "DENIED"],
        },
        "display_text": {"type": "string", "description": "Plain words for the screen."},
        "person": {"type": ["string", "null"]},
        "reason_codes": {"type": "array", "items": {"type": "string"}},
        "reasons": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "text": {"type": "string"},
                    "rule": {"type": "string"},
                },
            },
        },
        "escorting": {"type": "array", "items": {"type": "string"}},
        "waiting_for_escort": {"type": "array", "items": {"type": "string"}},
        "escort_window_seconds": {"type": ["integer", "null"]},
        "flags": {"type": "array", "items": {"type": "string"}, "examples": [["passback"]]},
        "policy_version": {"type": "string"},
        "occurred_at": {"type": "string", "format": "date-time"},
    },
}

DOOR_PARAMETER = {
    "name": "code",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "maxLength": 40},
    "description": "The door's code, e.g. zone-iv-mri-1.",
}


def _errors(*codes: int) -> dict[str, Any]:
    text = {
        400: "The body is not JSON.",
        401: "Missing or wrong device token (or no kiosk session).",
        403: "The token or kiosk belongs to another door.",
        404: "No such door.",
        413: "The body is larger than 4 kB.",
        422: "The JSON is not a scan; see problems.",
    }
    return {
        str(code): {
            "description": text[code],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for code in codes
    }


PATHS: dict[str, Any] = {
    "/doors/{code}/scans": {
        "post": {
            "summary": "Decide and log one badge scan at a door",
            "description": "Every accepted scan is one event in the hash-chained access log, "
            "whatever its outcome. Any internal failure is a 'deny' with reason "
            "'system_error'. Leaving ('out') is recorded, never refused.",
            "parameters": [DOOR_PARAMETER],
            "security": [{"deviceToken": []}, {"kioskSession": []}],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["text"],
                            "additionalProperties": False,
                            "properties": {
                                "text": {"type": "string", "description": "What the scanner read."},
                                "direction": {"enum": ["in", "out"], "default": "in"},
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": {
                    "description": "The scan was decided and logged.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ScanResult"}}
                    },
                },
                **_errors(400, 401, 403, 404, 413, 422),
            },
        }
    },
    "/doors/{code}/status": {
        "get": {
            "summary": "The door and any declared emergency (kiosks poll this)",
            "parameters": [DOOR_PARAMETER],
            "security": [{"deviceToken": []}, {"kioskSession": []}],
            "responses": {
                "200": {"description": "Door and emergency state."},
                **_errors(401, 403, 404),
            },
        }
    },
}
PATHS.update(SCREENING_PATHS)


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "ZoneKeeper API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "paths": PATHS,
        "components": {
            "schemas": {"Error": ERROR, "ScanResult": SCAN_RESULT, **SCREENING_SCHEMAS},
            "securitySchemes": {
                "session": SESSION_SCHEME,
                "deviceToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A door device token from `zonekeeper door add-device`.",
                },
                "kioskSession": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-CSRFToken",
                    "description": "A signed-in kiosk account bound to this door, with the "
                    "page's CSRF token.",
                },
            },
        },
    }
