"""Who may use which endpoint: the one place this is written.

Every endpoint must appear here; one that does not is refused to everybody
(and a test fails). ``PUBLIC`` endpoints need no sign-in.
"""

from __future__ import annotations

PUBLIC = "public"
SIGNED_IN = "signed_in"  # any active account except kiosks

ALL_PEOPLE = frozenset({"technologist", "mrso", "safety_director", "admin"})
SAFETY_STAFF = frozenset({"mrso", "safety_director", "admin"})

ACCESS: dict[str, str | frozenset[str]] = {
    "static": PUBLIC,
    "auth.sign_in": PUBLIC,
    "auth.sign_out": SIGNED_IN,
    "site.dashboard": ALL_PEOPLE,
    "site.policy": ALL_PEOPLE,
    "site.check_access": ALL_PEOPLE,
}


def allowed_roles(endpoint: str | None) -> str | frozenset[str] | None:
    return ACCESS.get(endpoint or "")
