"""Account operations shared by the CLI and (later) the admin pages."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..people.models import Person
from .models import ROLES, User
from .passwords import hash_password, password_problem


class AccountError(ValueError):
    pass


def create_user(username: str, password: str, role: str, person_id: int | None = None) -> User:
    username = username.strip()
    if not username or len(username) > 80:
        raise AccountError("username must be 1 to 80 characters")
    if role not in ROLES:
        raise AccountError(f"unknown role '{role}' (one of {', '.join(ROLES)})")
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    if db.session.scalar(select(User).where(User.username == username)):
        raise AccountError(f"an account named '{username}' already exists")
    if person_id is not None:
        if db.session.get(Person, person_id) is None:
            raise AccountError(f"no person with id {person_id}")
        if db.session.scalar(select(User).where(User.person_id == person_id)):
            raise AccountError(f"person {person_id} already has an account")
    user = User(
        username=username, password_hash=hash_password(password), role=role, person_id=person_id
    )
    db.session.add(user)
    db.session.commit()
    return user


def disable_user(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise AccountError(f"no account named '{username}'")
    user.active = False
    user.session_version += 1
    db.session.commit()
    return user
