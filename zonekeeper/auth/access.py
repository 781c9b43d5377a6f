"""Who may use which endpoint: the one place this is written.

Every endpoint must appear here; one that does not is refused to everybody
(and a test fails). ``PUBLIC`` endpoints need no sign-in.
"""

from __future__ import annotations

PUBLIC = "public"
SIGNED_IN = "signed_in"  # any active account except kiosks

ALL_PEOPLE = frozenset({"technologist", "mrso", "safety_director", "admin"})
SAFETY_STAFF = frozenset({"mrso", "safety_director", "admin"})
ROSTER_WRITERS = frozenset({"mrso", "safety_director"})
AUDIT_READERS = frozenset({"safety_director", "admin"})
ADMINS = frozenset({"admin"})

ACCESS: dict[str, str | frozenset[str]] = {
    "static": PUBLIC,
    "auth.sign_in": PUBLIC,
    "auth.sign_out": SIGNED_IN,
    "site.dashboard": ALL_PEOPLE,
    "site.policy": ALL_PEOPLE,
    "site.check_access": ALL_PEOPLE,
    "auth.password": SIGNED_IN,
    "auth.users": ADMINS,
    "auth.user_new": ADMINS,
    "auth.user_set_active": ADMINS,
    "people.roster": ALL_PEOPLE,
    "people.person": ALL_PEOPLE,
    "people.export_csv": SAFETY_STAFF,
    "people.person_new": ROSTER_WRITERS,
    "people.training_new": ROSTER_WRITERS,
    "people.screening_new": ROSTER_WRITERS,
    "people.designation_new": ROSTER_WRITERS,
    "people.designation_end": ROSTER_WRITERS,
    "people.import_csv": ROSTER_WRITERS,
    "audit.events": AUDIT_READERS,
    "audit.export_csv": AUDIT_READERS,
}


def allowed_roles(endpoint: str | None) -> str | frozenset[str] | None:
    return ACCESS.get(endpoint or "")
