"""Stateless screening evaluation: answers, implants and exam in, the decision out.

CSRF: the endpoint is exempt from the form CSRF token because it needs a
signed-in technologist or MRSO session *and* a ``Content-Type:
application/json`` body. A cross-site page cannot send that content type
without a CORS preflight (which this app never grants), and the session cookie
is SameSite=Lax, so it is not sent on cross-site POSTs. It also writes
nothing: at worst a forged request would compute a decision nobody sees.
"""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from ..clock import site_today
from ..extensions import csrf
from ..inputs import load_json_text
from ..policy import PolicyError
from ..policy_store import current_policy
from ..screening.evaluation import evaluate_request

bp = Blueprint("screening_api", __name__, url_prefix="/api/v1")
log = logging.getLogger(__name__)

MAX_EVALUATE_BODY = 64 * 1024  # bytes


def _problem(status: int, error: str, message: str, **extra: object) -> ResponseReturnValue:
    return jsonify(error=error, message=message, **extra), status


@bp.post("/screenings/evaluate")
@csrf.exempt  # JSON only, session-authenticated, no writes: see the module docstring
def evaluate() -> ResponseReturnValue:
    if (request.content_length or 0) > MAX_EVALUATE_BODY:
        return _problem(413, "too_large", "The body is larger than 64 kB.")
    raw = request.get_data(cache=False)
    if len(raw) > MAX_EVALUATE_BODY:  # chunked bodies have no Content-Length
        return _problem(413, "too_large", "The body is larger than 64 kB.")
    if not request.is_json:
        return _problem(415, "not_json", "Send the case as Content-Type: application/json.")
    try:
        body = load_json_text(raw)  # control characters removed, as in forms
    except (ValueError, UnicodeDecodeError, RecursionError):  # deep nesting: RecursionError
        return _problem(400, "bad_json", "The body is not valid JSON.")
    try:
        policy = current_policy()
    except PolicyError:
        log.exception("screening evaluation refused: the policy does not load")
        return _problem(503, "policy_broken", "The site policy does not load; nobody is cleared.")
    decision, problems = evaluate_request(body, policy, site_today())
    if decision is None:
        return _problem(
            422, "invalid_case", f"{len(problems)} problem(s) in the case.", problems=problems
        )
    return jsonify(decision), 200
