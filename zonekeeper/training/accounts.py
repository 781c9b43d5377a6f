"""Staff accounts made from the roster, and their first sign-in with a one-time code.

The MRSO creates the account; a code is shown to them once (only its hash is
kept) and expires. The person signs in with it once, sets their own password,
and the code stops working.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from ..audit.services import record_event
from ..auth.models import User
from ..auth.passwords import hash_password, password_problem, verify_password
from ..db import utcnow
from ..extensions import db
from ..people.models import Person

# no 0/O, 1/I/L: a code read aloud or typed from paper
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


class StaffAccountError(ValueError):
    """An account change that cannot be made, with a message for the user."""


WRONG_CODE = "Wrong username or code, or the code has expired. Ask the MRSO."


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def suggested_username(person: Person) -> str:
    base = f"{person.given_name[:1]}{person.family_name}".lower()
    base = "".join(ch for ch in base if ch.isalnum() or ch in "._-")[:70] or "staff"
    name, n = base, 1
    while db.session.scalar(select(User.id).where(User.username == name)):
        n += 1
        name = f"{base}{n}"
    return name


def create_staff_account(
    person: Person, username: str, email: str, actor: User
) -> tuple[User, str]:
    """A staff account for a roster person; returns it and its first-sign-in code (shown once)."""
    username = username.strip()
    if person.kind != "staff":
        raise StaffAccountError("Only staff on the roster get a staff account.")
    if not username or len(username) > 80:
        raise StaffAccountError("The username must be 1 to 80 characters.")
    if db.session.scalar(select(User.id).where(User.person_id == person.id)):
        raise StaffAccountError(f"{person.display_name} already has an account.")
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise StaffAccountError(f"An account named '{username}' already exists.")
    code = _new_code()
    user = User(
        username=username,
        password_hash=hash_password(secrets.token_urlsafe(32)),  # unusable until first sign-in
        role="staff",
        person_id=person.id,
        email=email.strip()[:200],
    )
    _set_code(user, code)
    db.session.add(user)
    record_event(
        "user.create",
        f"Staff account '{username}' created from the roster by '{actor.username}'",
        target=user,
        person_id=person.id,
        after={"username": username, "role": "staff", "person_id": person.id, "active": True},
    )
    return user, code


def _set_code(user: User, code: str) -> None:
    hours = int(current_app.config["STAFF_SETUP_CODE_HOURS"])
    user.setup_code_hash = hash_password(code)
    user.setup_code_expires_at = utcnow() + timedelta(hours=hours)


def reissue_code(user: User, actor: User) -> str:
    """A new first-sign-in code (the old one stops working); the password is reset too."""
    if user.role != "staff":
        raise StaffAccountError("Only staff accounts get a sign-in code here.")
    code = _new_code()
    _set_code(user, code)
    user.password_hash = hash_password(secrets.token_urlsafe(32))
    user.session_version += 1
    record_event(
        "user.setup_code",
        f"New first-sign-in code for '{user.username}' by '{actor.username}'",
        target=user,
        person_id=user.person_id,
    )
    return code


def first_sign_in(username: str, code: str, new_password: str) -> User:
    """Set the password with a valid one-time code; the code is spent."""
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    valid = (
        user is not None
        and user.active
        and user.setup_code_hash is not None
        and user.setup_code_expires_at is not None
        and user.setup_code_expires_at > utcnow()
    )
    matches = verify_password(user.setup_code_hash if valid else None, normalise_code(code))
    if not (valid and matches) or user is None:
        raise StaffAccountError(WRONG_CODE)
    words = [user.username] + (
        [user.person.given_name, user.person.family_name] if user.person else []
    )
    problem = password_problem(new_password, words)
    if problem:
        raise StaffAccountError(problem)
    user.password_hash = hash_password(new_password)
    user.setup_code_hash = None
    user.setup_code_expires_at = None
    user.session_version += 1
    record_event(
        "user.first_sign_in",
        f"'{user.username}' set their password with a one-time code",
        target=user,
        person_id=user.person_id,
        actor=(user.id, user.username),
    )
    return user
