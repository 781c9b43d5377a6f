"""Who may use which endpoint: the one place this is written.

Every endpoint must appear here; one that does not is refused to everybody
(and a test fails). ``PUBLIC`` endpoints need no sign-in.
"""

from __future__ import annotations

PUBLIC = "public"
SIGNED_IN = "signed_in"  # any active account except kiosks
ANY_ACCOUNT = "any_account"  # kiosk devices included (signing out)

ALL_PEOPLE = frozenset({"technologist", "mrso", "safety_director", "admin"})
SAFETY_STAFF = frozenset({"mrso", "safety_director", "admin"})
ROSTER_WRITERS = frozenset({"mrso", "safety_director"})
AUDIT_READERS = frozenset({"safety_director", "admin"})
ADMINS = frozenset({"admin"})
KIOSKS = frozenset({"kiosk"})
# technologists only when current Level 2 and delegated by the MRSO (checked in the view)
AUDIT_RUNNERS = frozenset({"mrso", "safety_director", "technologist"})
# patient screening: technologists and the MRSO screen (Level 2 steps checked in the view);
# the safety director reads the records
SCREENERS = frozenset({"technologist", "mrso"})
SCREENING_READERS = frozenset({"technologist", "mrso", "safety_director", "physician"})
# the unreliable-history work-up steps (scars, radiographs): Level 2 checked by the step table
WORKUP_RECORDERS = frozenset({"technologist", "mrso", "physician"})
# the no-screen exception is signed by a Level 2 MR physician's own account (step table)
# compliance reports: the MRSO reads them, the safety director (MRMD) signs them
REPORT_SIGNERS = frozenset({"safety_director"})
EXCEPTION_SIGNERS = frozenset({"technologist", "mrso", "safety_director", "physician"})
# annual MR safety training (issue #14): everyone with a person record takes their own;
# a staff account sees nothing else
LEARNERS = frozenset({"staff", "technologist", "mrso", "safety_director", "physician"})

ACCESS: dict[str, str | frozenset[str]] = {
    "static": PUBLIC,
    "auth.sign_in": PUBLIC,
    "auth.sign_out": ANY_ACCOUNT,
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
    "people.training_void": ROSTER_WRITERS,
    "people.screening_new": ROSTER_WRITERS,
    "people.designation_new": ROSTER_WRITERS,
    "people.designation_end": ROSTER_WRITERS,
    "people.import_csv": ROSTER_WRITERS,
    # people pickers (incident form ...): a few active staff by name, never patients
    "people_search.search_json": ALL_PEOPLE,
    "audit.events": AUDIT_READERS,
    "audit.export_csv": AUDIT_READERS,
    # zone audits: running them is checked in the view (MRSO, director, or a delegated Level 2)
    "zone_audits.index": ALL_PEOPLE,
    "zone_audits.start": AUDIT_RUNNERS,
    "zone_audits.audit": ALL_PEOPLE,
    "zone_audits.amend_audit": AUDIT_RUNNERS,
    "zone_audits.photo": ALL_PEOPLE,
    "zone_audits.export_csv": SAFETY_STAFF,
    # corrective actions: owners may update their own; opening by hand is checked in the view
    "actions.index": ALL_PEOPLE,
    "actions.new": ROSTER_WRITERS,
    "actions.action": ALL_PEOPLE,
    "actions.export_csv": SAFETY_STAFF,
    # incidents: anyone signed in reports; reviewers see all (checked in the view)
    "incidents.index": ALL_PEOPLE,
    "incidents.new": ALL_PEOPLE,
    "incidents.incident": ALL_PEOPLE,
    "incidents.export_csv": ROSTER_WRITERS,
    "dashboard.safety": SAFETY_STAFF,
    "badges.index": SAFETY_STAFF,
    "badges.issue": ROSTER_WRITERS,
    "badges.reissue": ROSTER_WRITERS,
    "badges.revoke": ROSTER_WRITERS,
    "badges.print_sheet": ROSTER_WRITERS,
    "badges.level_colours": ROSTER_WRITERS,
    # door check-in: the reader API authenticates devices and kiosk sessions itself
    "api.door_scan": PUBLIC,
    "api.door_status": PUBLIC,
    "api.openapi": PUBLIC,
    "doors.kiosk": KIOSKS,
    # wristbands for patients and companions: the people who screen them print them
    "wristbands.print_wristband": SCREENERS,
    "wristbands.wristband_sheet": SCREENING_READERS,
    "doors.inside": ALL_PEOPLE,
    "doors.inside_live": ALL_PEOPLE,
    # declaring and ending an emergency: the MRSO or any current Level 2 (checked in the view)
    "doors.emergency": ALL_PEOPLE,
    "doors.emergency_end": ALL_PEOPLE,
    "doors.muster": ALL_PEOPLE,
    "doors.muster_live": ALL_PEOPLE,
    "doors.mark_person_safe": ALL_PEOPLE,
    "doors.muster_csv": ALL_PEOPLE,
    # Level 2 authorizations: the person acting must be current Level 2 (checked in the service)
    "door_authorizations.index": ALL_PEOPLE,
    "door_authorizations.revoke": ALL_PEOPLE,
    "doors.access_log": SAFETY_STAFF,
    "doors.access_log_csv": SAFETY_STAFF,
    # screening (issue #4)
    "screening.index": SCREENING_READERS,
    "screening.new": SCREENERS,
    "screening.screening": SCREENING_READERS,
    "screening.answers": SCREENERS,
    "screening.record": SCREENING_READERS,
    "screening.record_pdf": SCREENING_READERS,
    "screening.first_screen": SCREENERS,
    "screening.second_screen": SCREENERS,
    "screening.exam": SCREENERS,
    "screening.confirmations": SCREENERS,
    "screening.final_check": SCREENERS,
    "screening.exception": EXCEPTION_SIGNERS,
    "screening.amend_screening": SCREENERS,
    # physicians' sign-offs: the designation (radiologist, MRMD) is checked in the workflow
    "screening.signoff": SCREENING_READERS,
    "screening.void_signoff": SCREENING_READERS,
    # the unreliable-history work-up: current Level 2 (step table) checked in the workflow
    "screening.workup_step": WORKUP_RECORDERS,
    "screening.void_workup_step": WORKUP_RECORDERS,
    "screening_api.evaluate": SCREENERS,
    # the spatial gradient at an implant's position: MRSE or Level 2 MR physician (step table)
    "screening.gradient_signoff": SCREENING_READERS | {"physician"},
    "screening.void_gradient_signoff": SCREENING_READERS | {"physician"},
    # scanners' spatial gradient data: the MRSO and the safety director enter it
    "site.scanners": ALL_PEOPLE,
    "site.scanner_edit": ROSTER_WRITERS,
    # compliance reports (issue #17)
    "reports.index": ROSTER_WRITERS,
    "reports.report": ROSTER_WRITERS,
    "reports.chart": ROSTER_WRITERS,
    "reports.drill": ROSTER_WRITERS,
    "reports.sign": REPORT_SIGNERS,
    "reports.download": ROSTER_WRITERS,
    # training (issue #14): each page is about the signed-in person's own records
    "training.home": LEARNERS,
    "training.start": LEARNERS,
    "training.question": LEARNERS,
    "training.review": LEARNERS,
    "training.attempt": LEARNERS,
    "training.certificate_pdf": LEARNERS,
    "flashcards.cards": LEARNERS,
    # anyone may check a certificate; the page is rate-limited and shows names only
    "public_training.verify": PUBLIC,
    "public_training.first_sign_in_page": PUBLIC,
    "staff_accounts.create": ROSTER_WRITERS,
    "staff_accounts.new_code": ROSTER_WRITERS,
    # the MRSO's training page: co-signatures, assignments, lapsing lists, reminders
    "training_admin.index": ROSTER_WRITERS,
    "training_admin.cosign": ROSTER_WRITERS,
    "training_admin.remind": ROSTER_WRITERS,
}


def allowed_roles(endpoint: str | None) -> str | frozenset[str] | None:
    return ACCESS.get(endpoint or "")
