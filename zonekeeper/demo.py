"""A believable demo site: two scanners (1.5 T and 3 T), their rooms and doors,
about 25 staff across levels and designations (some training lapsed or about
to lapse), a few visitors, a contractor and a responder, demo logins, and nine
days of zone audits (one missed day, two failed items with their corrective
actions) and two near misses.

All names are fictional; scanner figures are illustrative, not a vendor's.
Dates are relative to the day the demo is loaded.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from .audit.services import record_event
from .auth.models import User
from .auth.passwords import hash_password
from .clock import site_today
from .demo_doors import KIOSK_LOGINS, add_kiosk_accounts, issue_demo_badges, morning_scans
from .demo_history import add_audit_history, add_incidents
from .demo_last_month import add_last_month
from .demo_screening import add_demo_screenings
from .demo_training import STAFF_LOGINS, STAFF_PASSWORD, add_demo_training
from .extensions import db
from .people.models import Designation, Person, StaffScreening, TrainingRecord
from .policy_store import current_policy
from .site.models import Door, Room, Scanner

DEMO_LOGINS = [
    ("admin", "zonekeeper-admin", "admin"),
    ("mrso", "zonekeeper-mrso", "mrso"),
    ("tech", "zonekeeper-tech", "technologist"),
    ("director", "zonekeeper-director", "safety_director"),
    # physicians sign off on screenings with their own accounts (no technologist rights)
    ("radiologist", "zonekeeper-radiologist", "physician"),
    ("physicist", "zonekeeper-physicist", "physician"),
]


def printed_logins() -> list[tuple[str, str, str]]:
    """Every demo login, people first, then the door kiosks."""
    return (
        DEMO_LOGINS
        + [(username, STAFF_PASSWORD, what) for username, _, what in STAFF_LOGINS]
        + [
            (username, password, f"kiosk at door {door}")
            for username, password, door in KIOSK_LOGINS
        ]
    )


# given, family, job title, trained level, training age in days, designations
STAFF: list[tuple[str, str, str, str | None, int | None, tuple[str, ...]]] = [
    (
        "Amara",
        "Okafor",
        "Radiologist, MR Medical Director",
        "level_2",
        120,
        ("mrmd", "level_2_physician"),
    ),
    ("Daniel", "Reyes", "Lead MR Technologist", "level_2", 60, ("mrso*",)),
    ("Priya", "Natarajan", "MR Technologist", "level_2", 200, ("mrso",)),
    ("Lukas", "Becker", "Medical Physicist", "level_2", 300, ("mrse",)),
    ("Hannah", "Cho", "Radiologist", "level_2", 30, ("level_2_physician",)),
    ("Samuel", "Adeyemi", "Radiologist", "level_2", 350, ("level_2_physician",)),
    ("Maria", "Gonzalez", "MR Technologist", "level_2", 10, ()),
    ("Tom", "Walsh", "MR Technologist", "level_2", 372, ()),
    ("Aisha", "Rahman", "MR Technologist", "level_2", 340, ()),
    ("Kevin", "O'Brien", "MR Technologist", "level_2", 90, ()),
    ("Sofia", "Rossi", "MR Technologist", "level_2", 364, ()),
    ("Jamal", "Carter", "MR Technologist", "level_2", 180, ()),
    ("Yuki", "Tanaka", "MR Technologist", "level_2", 5, ()),
    ("Olivia", "Brown", "MR Technologist", "level_2", 220, ()),
    ("Grace", "Liu", "MR Nurse", "level_2", 45, ()),
    ("Ben", "Harris", "Radiology Nurse", "level_1", 100, ()),
    ("Carlos", "Mendes", "Patient Transport", "level_1", 20, ()),
    ("Fatima", "Zahra", "Environmental Services", "level_1", 150, ()),
    ("Emily", "Novak", "Front Desk Coordinator", "level_1", 355, ()),
    ("Oliver", "Kim", "Patient Transport", "level_1", 500, ()),
    ("Liam", "Murphy", "Security Officer", "level_1", 250, ()),
    ("Rachel", "Green", "Anesthesia Nurse", None, None, ()),
    ("Noah", "Schmidt", "MR Technologist Trainee", None, None, ()),
    ("Mark", "Lewis", "Facilities Engineer", None, None, ()),
    ("Sarah", "Johnson", "IT Systems Administrator", None, None, ()),
]

# staff whose own screening is not simply "cleared and current"
SCREENING_EXCEPTIONS = {
    "Lewis": (False, "Cardiac pacemaker: not cleared for Zone III/IV", 0),
    "Kim": (True, "Annual form on file", 400),  # expired
}

LOGIN_PEOPLE = {
    "admin": "Johnson",
    "mrso": "Reyes",
    "tech": "Gonzalez",
    "director": "Okafor",
    "radiologist": "Cho",  # Level 2 MR physician
    "physicist": "Becker",  # MR Safety Expert
}


class DemoNotEmpty(Exception):
    """The database already holds people; the demo would mix with real data."""


def load_demo_site() -> str:
    if db.session.scalar(select(func.count()).select_from(Person)):
        raise DemoNotEmpty
    today = site_today()
    rooms = _rooms()
    _doors(rooms)
    _scanners(rooms)
    db.session.flush()
    # the suite was commissioned long before the demo's history (audits, last month's
    # report): its rooms, doors and scanners date from then
    commissioned = datetime.combine(today.replace(day=1) - timedelta(days=365), time(9), UTC)
    for model in (Room, Door, Scanner):
        for place in db.session.scalars(select(model)):
            place.created_at = commissioned
    people = _staff(today)
    _others(today)
    logins = _logins(people)
    add_audit_history(today, rooms, logins["mrso"], people)
    add_incidents(today, rooms, logins)
    tokens = issue_demo_badges(today)
    add_kiosk_accounts()
    add_demo_screenings(today, current_policy(), logins["tech"], logins["mrso"])
    last_month = add_last_month(today, current_policy(), logins)
    attempts = add_demo_training(today, people, logins["mrso"])
    record_event("demo.load", "Loaded the demo site")
    db.session.commit()
    scans = morning_scans(tokens)
    return (
        f"Loaded the demo site: {len(rooms)} rooms, 4 doors, 2 scanners, "
        f"{len(people)} staff, 5 others, daily zone audits since {last_month['since']}, "
        f"{2 + last_month['incidents']} incidents, {len(tokens)} badges, "
        f"{len(KIOSK_LOGINS)} door kiosks, {scans} door scans today; last month "
        f"{last_month['screenings']} screenings and {last_month['scans']} door events; "
        f"{len(STAFF_LOGINS)} staff accounts, {attempts} training attempts."
    )


def _rooms() -> dict[str, Room]:
    specs = [
        ("Lobby", "I", "Main hospital corridor and lobby."),
        ("MRI reception and waiting", "II", "Check-in desk and waiting area."),
        ("Screening room", "II", "Private room for screening interviews and changing."),
        ("MRI control room", "III", "Scanner consoles for MRI 1 and MRI 2."),
        ("Patient preparation", "III", "Changing cubicles, lockers and IV preparation."),
        ("MRI 1 magnet room", "IV", "1.5 T magnet room."),
        ("MRI 2 magnet room", "IV", "3 T magnet room."),
    ]
    rooms = {name: Room(name=name, zone=zone, description=text) for name, zone, text in specs}
    db.session.add_all(rooms.values())
    return rooms


def _doors(rooms: dict[str, Room]) -> None:
    db.session.add_all(
        [
            Door(
                code="main-entrance",
                name="MRI suite entrance",
                from_zone="I",
                to_zone="II",
                room=rooms["MRI reception and waiting"],
            ),
            Door(
                code="zone-iii",
                name="Zone III door",
                from_zone="II",
                to_zone="III",
                room=rooms["MRI control room"],
            ),
            Door(
                code="mri-1",
                name="MRI 1 door",
                from_zone="III",
                to_zone="IV",
                room=rooms["MRI 1 magnet room"],
            ),
            Door(
                code="mri-2",
                name="MRI 2 door",
                from_zone="III",
                to_zone="IV",
                room=rooms["MRI 2 magnet room"],
            ),
        ]
    )


def _scanners(rooms: dict[str, Room]) -> None:
    db.session.add_all(
        [
            Scanner(
                name="MRI 1",
                room=rooms["MRI 1 magnet room"],
                manufacturer="Acme Medical Systems",
                model="Aurora 1.5T",
                field_strength_t=1.5,
                spatial_field_gradient_t_per_m=12.0,
                max_slew_rate_t_per_m_per_s=200.0,
                operating_modes=["normal", "first_level"],
                transmit_coils=["body", "head", "extremity"],
            ),
            Scanner(
                name="MRI 2",
                room=rooms["MRI 2 magnet room"],
                manufacturer="Acme Medical Systems",
                model="Aurora 3T",
                field_strength_t=3.0,
                # illustrative values, not any vendor's: a site enters its own system's
                # spatial field gradient plots (operator manual, MR safety section)
                spatial_field_gradient_t_per_m=11.5,  # at the bore entrance
                spatial_gradient_map=[
                    {"within_cm": 30, "max_t_per_m": 2.5, "note": "patient path, ≤ 20 cm off axis"},
                    {"within_cm": 40, "max_t_per_m": 4.0, "note": "patient path, ≤ 20 cm off axis"},
                    {"within_cm": 60, "max_t_per_m": 7.0, "note": "patient path, ≤ 20 cm off axis"},
                    {"within_cm": 80, "max_t_per_m": 11.5, "note": "bore entrance"},
                ],
                max_slew_rate_t_per_m_per_s=200.0,
                operating_modes=["normal", "first_level"],
                transmit_coils=["body", "head", "extremity", "multichannel_body"],
            ),
        ]
    )


def _staff(today: date) -> dict[str, Person]:
    people: dict[str, Person] = {}
    for number, (given, family, title, *_rest) in enumerate(STAFF, start=1):
        person = Person(
            kind="staff",
            given_name=given,
            family_name=family,
            job_title=title,
            staff_number=f"S{1000 + number}",
            organisation="Riverside General Hospital",
        )
        people[family] = person
        db.session.add(person)
    approver = people["Reyes"]
    for _given, family, _title, level, age, roles in STAFF:
        person = people[family]
        if level is not None and age is not None:
            course = (
                "MR Safety Level 2"
                if level == "level_2"
                else "MR Safety Level 1 (Zone III awareness)"
            )
            person.trainings.append(
                TrainingRecord(
                    completed_on=today - timedelta(days=age),
                    level=level,
                    course=course,
                    course_version="2026.1" if age < 300 else "2025.2",
                    approver=None if family == "Reyes" else approver,
                    evidence=f"quiz {16 + age % 5}/20",
                )
            )
        cleared, reason, screened_ago = SCREENING_EXCEPTIONS.get(
            family, (True, "Annual form on file", 30)
        )
        screened_on = today - timedelta(days=screened_ago)
        person.screenings.append(
            StaffScreening(
                screened_on=screened_on,
                valid_until=screened_on + timedelta(days=365),
                cleared=cleared,
                reason=reason,
            )
        )
        for role in roles:
            in_charge = role.endswith("*")
            person.designations.append(
                Designation(
                    role=role.rstrip("*"),
                    in_charge=in_charge,
                    granted_on=today - timedelta(days=400),
                )
            )
    return people


def _others(today: date) -> None:
    visitor = Person(kind="visitor", given_name="Peter", family_name="Novak", job_title="Companion")
    visitor.screenings.append(
        StaffScreening(
            screened_on=today,
            valid_until=today,
            cleared=True,
            reason="Companion form reviewed by Level 2 technologist",
        )
    )
    db.session.add_all(
        [
            visitor,
            Person(kind="visitor", given_name="Lena", family_name="Fischer", job_title="Companion"),
            Person(
                kind="visitor", given_name="Ivan", family_name="Petrov", job_title="Interpreter"
            ),
            Person(
                kind="contractor",
                given_name="Ray",
                family_name="Duncan",
                job_title="Cryogen service engineer",
                organisation="Polar Cryogenics Ltd",
            ),
            Person(
                kind="responder",
                given_name="Jordan",
                family_name="Alvarez",
                job_title="Fire Captain",
                organisation="City Fire Department",
            ),
        ]
    )


def _logins(people: dict[str, Person]) -> dict[str, User]:
    db.session.flush()
    users = {}
    for username, password, role in DEMO_LOGINS:
        users[username] = User(
            username=username,
            password_hash=hash_password(password),
            role=role,
            person_id=people[LOGIN_PEOPLE[username]].id,
        )
        db.session.add(users[username])
    db.session.flush()
    return users
