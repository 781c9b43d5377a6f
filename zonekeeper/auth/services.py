"""Account operations shared by the CLI and the admin pages. Each is audited."""

from __future__ import annotations

from sqlalchemy import select

from ..audit.services import record_event
from ..extensions import db
from ..people.models import Person
from ..site.models import Door
from .models import ROLES, User
from .passwords import hash_password, password_problem, verify_password


class AccountError(ValueError):
    pass


WRONG_CURRENT = "The current password is wrong."


def _personal_words(username: str, person: Person | None) -> list[str]:
    words = [username]
    if person is not None:
        words += [person.given_name, person.family_name]
    return words


def create_user(
    username: str,
    password: str,
    role: str,
    person_id: int | None = None,
    door_id: int | None = None,
) -> User:
    username = username.strip()
    if not username or len(username) > 80:
        raise AccountError("username must be 1 to 80 characters")
    if role not in ROLES:
        raise AccountError(f"unknown role '{role}' (one of {', '.join(ROLES)})")
    person = db.session.get(Person, person_id) if person_id is not None else None
    if person_id is not None and person is None:
        raise AccountError(f"no person with id {person_id}")
    problem = password_problem(password, _personal_words(username, person))
    if problem:
        raise AccountError(problem)
    if role == "kiosk" and (door_id is None or db.session.get(Door, door_id) is None):
        raise AccountError("a kiosk account stands at one door: choose the door")
    if role != "kiosk":
        door_id = None
    if db.session.scalar(select(User).where(User.username == username)):
        raise AccountError(f"an account named '{username}' already exists")
    if person_id is not None and db.session.scalar(select(User).where(User.person_id == person_id)):
        raise AccountError("that person already has an account (one account per person)")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        person_id=person_id,
        door_id=door_id,
    )
    db.session.add(user)
    record_event(
        "user.create",
        f"Account '{username}' created with role {role}",
        target=user,
        person_id=person_id,
        after={
            "username": username,
            "role": role,
            "person_id": person_id,
            "door_id": door_id,
            "active": True,
        },
    )
    db.session.commit()
    return user


def set_active(user: User, active: bool) -> User:
    if user.active == active:
        return user
    user.active = active
    user.session_version += 1  # disabling ends every session at once
    record_event(
        "user.enable" if active else "user.disable",
        f"Account '{user.username}' {'enabled' if active else 'disabled'}",
        target=user,
        person_id=user.person_id,
        before={"active": not active},
        after={"active": active},
    )
    db.session.commit()
    return user


def disable_user(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise AccountError(f"no account named '{username}'")
    return set_active(user, False)


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise AccountError(WRONG_CURRENT)
    if new == current:
        raise AccountError("The new password must differ from the current one.")
    problem = password_problem(new, _personal_words(user.username, user.person))
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(new)
    user.session_version += 1  # every other session of this account ends
    record_event(
        "user.password_change",
        f"Password changed for '{user.username}'",
        target=user,
        person_id=user.person_id,
    )
    db.session.commit()
