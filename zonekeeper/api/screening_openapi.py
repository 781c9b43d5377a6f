"""The OpenAPI description of POST /api/v1/screenings/evaluate (merged by openapi.py)."""

from __future__ import annotations

from typing import Any

_REASON = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "text": {"type": "string"},
        "rule_id": {"type": "string"},
        "source": {"type": "string"},
        "disposition": {"type": "string"},
        "implant": {"type": ["string", "null"]},
    },
}
_CONSTRAINT = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "text": {"type": "string", "examples": ["B1+rms ≤ 2 µT"]},
        "source": {"type": "string"},
        "implant": {"type": ["string", "null"]},
    },
}
_ACTION = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "text": {"type": "string"},
        "source": {"type": "string"},
    },
}
_DISPOSITION = {"enum": ["cleared", "conditional", "more_info_required", "not_cleared"]}

SCREENING_CASE: dict[str, Any] = {
    "type": "object",
    "required": ["answers", "exam"],
    "additionalProperties": False,
    "properties": {
        "form": {"type": "string", "default": "patient", "enum": ["patient", "non_mr_personnel"]},
        "form_version": {"type": "integer", "description": "Default: the current version."},
        "answers": {
            "type": "object",
            "description": 'Question id -> answer, as in forms/*.yaml: "yes" | "no" | '
            '"unknown"; numbers in the question\'s unit or {"value": 72, "unit": "kg"}; '
            "dates as YYYY-MM-DD. Unanswered questions are unknown (never cleared).",
        },
        "implants": {
            "type": "array",
            "maxItems": 20,
            "items": {
                "type": "object",
                "description": "category, description, astm_class (mr_safe | mr_conditional | "
                "mr_unsafe | no_mri_information | null = unknown), implant_date, "
                "complete_system, abandoned_components, field_strengths (T), "
                "field_strength_or_less, max_spatial_gradient (T/m or {value, unit: 'G/cm'}), "
                "max_whole_body_sar, max_head_sar (W/kg), max_b1rms (µT), operating_mode, "
                "allowed_transmit_coils, max_slew_rate (T/m/s), active_scan_minutes, "
                "excluded_regions, preparation_steps, waiting_period_days, labeling_source, "
                "labeling_date.",
            },
        },
        "exam": {
            "type": "object",
            "required": ["scanner", "body_region", "transmit_coil", "setting"],
            "properties": {
                "scanner": {"type": "string", "description": "A scanner name of this site."},
                "body_region": {"type": "string", "examples": ["head"]},
                "transmit_coil": {"type": "string", "examples": ["body"]},
                "setting": {"enum": ["inpatient", "outpatient"]},
                "contrast_agent": {
                    "type": ["string", "null"],
                    "description": "Brand, generic or short name (rules/contrast.yaml catalogue); "
                    "an unknown name is a 422 with a did-you-mean.",
                    "examples": ["gadobutrol", "Dotarem", "Gd-DOTA"],
                },
                "operating_mode": {
                    "enum": ["normal", "first_level"],
                    "default": "normal",
                    "description": "The planned operating mode (IEC 60601-2-33).",
                },
            },
        },
    },
}

SCREENING_DECISION: dict[str, Any] = {
    "type": "object",
    "required": ["disposition", "scanner", "reasons", "policy_version"],
    "properties": {
        "disposition": _DISPOSITION,
        "scanner": {"type": "string"},
        "constraints": {"type": "array", "items": _CONSTRAINT},
        "actions": {"type": "array", "items": _ACTION},
        "eligible_scanners": {
            "type": "array",
            "description": "Every site scanner: whether the exam would be eligible there.",
            "items": {
                "type": "object",
                "properties": {
                    "scanner": {"type": "string"},
                    "field_strength_t": {"type": "number"},
                    "booked": {"type": "boolean"},
                    "eligible": {"type": "boolean"},
                    "disposition": _DISPOSITION,
                    "constraints": {"type": "array", "items": _CONSTRAINT},
                    "reasons": {"type": "array", "items": _REASON},
                },
            },
        },
        "reasons": {"type": "array", "items": _REASON},
        "contrast": {
            "type": "object",
            "properties": {
                "disposition": {
                    "enum": ["not_applicable", "cleared", "more_info_required", "not_cleared"]
                },
                "agent": {"type": ["string", "null"]},
                "group": {"type": ["string", "null"]},
                "reasons": {"type": "array", "items": _REASON},
                "actions": {"type": "array", "items": _ACTION},
            },
        },
        "policy_version": {"type": "string"},
        "evaluated_on": {"type": ["string", "null"], "format": "date"},
        "questionnaire": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "version": {"type": "integer"},
                "definition_hash": {"type": "string"},
                "red_flags": {"type": "array", "items": {"type": "object"}},
                "missing": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


SCREENING_PATHS: dict[str, Any] = {
    "/screenings/evaluate": {
        "post": {
            "summary": "Evaluate a screening case against the site's scanners (no record kept)",
            "description": "Stateless: nothing is stored. Needs a signed-in technologist or "
            "MRSO session. Fail closed: unknown or unanswered items give "
            "more_info_required or not_cleared, never a clearance.",
            "security": [{"session": []}],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ScreeningCase"}}
                },
            },
            "responses": {
                "200": {
                    "description": "The decision.",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/ScreeningDecision"}
                        }
                    },
                },
                "400": _error("The body is not valid JSON."),
                "413": _error("The body is larger than 64 kB."),
                "415": _error("The body is not application/json."),
                "422": _error(
                    "Unknown question ids, wrong types, units or values: see problems "
                    "(each with field and problem)."
                ),
            },
        }
    }
}

SCREENING_SCHEMAS = {"ScreeningCase": SCREENING_CASE, "ScreeningDecision": SCREENING_DECISION}
SESSION_SCHEME = {
    "type": "apiKey",
    "in": "cookie",
    "name": "session",
    "description": "A signed-in ZoneKeeper session (technologist or MRSO).",
}
