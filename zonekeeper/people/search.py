"""Finding people by name or staff number: one query for the roster filter and the pickers.

A picker never loads the whole roster (a large site has thousands of staff and tens of
thousands of patients); it asks for the few people matching what was typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import Select, or_, select

from ..extensions import db
from .models import Person

PICKER_LIMIT = 20
PICKER_KINDS = frozenset({"staff"})  # pickers offer staff only: never patients or visitors


def matching(query: Select[Any], typed: str) -> Select[Any]:
    """``query`` narrowed to people whose given name, family name or staff number contains
    ``typed`` (case-insensitive); "Lee Ann" matches Ann Lee too (every word must match)."""
    for word in typed.split():
        like = f"%{word}%"
        query = query.where(
            or_(
                Person.given_name.ilike(like),
                Person.family_name.ilike(like),
                Person.staff_number.ilike(like),
            )
        )
    return query


def find_staff(typed: str, *, limit: int = PICKER_LIMIT) -> list[Person]:
    """Active staff matching ``typed``, by family name; nothing for an empty search."""
    typed = " ".join(typed.split())[:80]
    if not typed:
        return []
    query = select(Person).where(Person.kind.in_(PICKER_KINDS), Person.active.is_(True))
    query = matching(query, typed).order_by(Person.family_name, Person.given_name, Person.id)
    return list(db.session.scalars(query.limit(limit)))


def active_staff(ids: Iterable[object]) -> list[Person]:
    """The active staff among ``ids`` (anything that is not such an id is dropped)."""
    wanted = {int(i) for i in ids if str(i).isdigit() and len(str(i)) < 10}
    if not wanted:
        return []
    query = select(Person).where(
        Person.id.in_(wanted), Person.kind.in_(PICKER_KINDS), Person.active.is_(True)
    )
    return list(db.session.scalars(query.order_by(Person.family_name, Person.given_name)))


def picker_label(person: Person) -> str:
    return f"{person.family_name}, {person.given_name}"


bp = Blueprint("people_search", __name__)


@bp.get("/people/search.json")
def search_json() -> ResponseReturnValue:
    """Staff matching ``q`` for a people picker: id, name and job title, at most 20."""
    found = find_staff(request.args.get("q", ""))
    return jsonify(
        results=[
            {"id": p.id, "label": picker_label(p), "detail": p.job_title or ""} for p in found
        ],
        limit=PICKER_LIMIT,
    )
