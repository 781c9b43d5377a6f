"""The app's loaded policy: read from RULES_DIR on first use, then kept.

Loading lazily keeps ``create_app`` free of side effects and lets
``zonekeeper db upgrade`` run while a rule file is broken; a decision made
while the policy cannot load is a deny (the caller catches PolicyError).
Edited rule files take effect when the app restarts.
"""

from __future__ import annotations

from flask import current_app

from .policy import Policy, load_policy

_KEY = "zonekeeper.policy"


def current_policy() -> Policy:
    policy = current_app.extensions.get(_KEY)
    if policy is None:
        policy = load_policy(current_app.config["RULES_DIR"])
        current_app.extensions[_KEY] = policy
    return policy  # type: ignore[no-any-return]
