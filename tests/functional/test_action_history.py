"""Zone audits link to the corrective actions they opened and back; an action keeps a
history of who changed its owner, due date or status, when and why (issue #16). Changing
the owner or the due date is the MRSO's or the director's, with a reason, in the service."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests import factories
from tests.conftest import AuthActions, csrf_token
from tests.functional.zone_audit_helpers import answers as _answers
from tests.functional.zone_audit_helpers import start as _start
from zonekeeper.actions.models import ActionChange, CorrectiveAction
from zonekeeper.actions.services import ReassignError, update_action
from zonekeeper.auth.models import User
from zonekeeper.extensions import db


def _action_page(client: FlaskClient, action_id: int) -> str:
    return client.get(f"/actions/{action_id}").get_data(as_text=True)


def _update(client: FlaskClient, action_id: int, **fields: object):  # type: ignore[no-untyped-def]
    token = csrf_token(_action_page(client, action_id))
    return client.post(f"/actions/{action_id}", data={"csrf_token": token, **fields})


def test_audit_and_action_link_both_ways_and_the_history_says_who_when_why(
    client: FlaskClient, mrso: int, app: Flask, setup_data
) -> None:  # type: ignore[no-untyped-def]
    audit_id = _start(client)
    _answers(client, audit_id, "sign", fail={"crash-cart-outside": "Crash cart inside Zone IV"})
    with app.app_context():
        action = db.session.scalars(select(CorrectiveAction)).one()
        action_id, due = action.id, action.due_on
    audit_page = client.get(f"/zone-audits/{audit_id}").get_data(as_text=True)
    assert f'href="/actions/{action_id}"' in audit_page
    assert "Crash cart" in audit_page.split('id="opened-actions"')[1]
    page = _action_page(client, action_id)
    assert f'href="/zone-audits/{audit_id}"' in page and "No changes since it was opened" in page

    other = setup_data(lambda: factories.person(given="Maria", family="Gonzalez").id)
    later = due.replace(day=min(due.day + 2, 28))
    no_reason = _update(client, action_id, status="open", owner_person_id=other,
                        due_on=later.isoformat(), note="")  # fmt: skip
    assert no_reason.status_code == 400
    assert "Say why the owner or the due date changes" in no_reason.get_data(as_text=True)
    moved = _update(client, action_id, status="in_progress", owner_person_id=other,
                    due_on=later.isoformat(), note="Maria runs the crash cart rota")  # fmt: skip
    assert moved.status_code == 302
    done = "Cart back at its marked spot; staff told"
    closed = _update(client, action_id, status="closed", owner_person_id=other,
                     due_on=later.isoformat(), note=done)  # fmt: skip
    assert closed.status_code == 302
    table = _action_page(client, action_id).split('id="action-history"')[1]
    assert "Reyes" in table  # the MRSO by name, not by username
    assert "Gonzalez, Maria" in table or "Maria Gonzalez" in table
    assert "Maria runs the crash cart rota" in table and "Cart back at its marked spot" in table
    assert re.search(r"Status: open → <strong>in progress", table)
    assert re.search(r"Status: in progress → <strong>closed", table)
    with app.app_context():
        changes = db.session.scalars(select(ActionChange).order_by(ActionChange.id)).all()
        assert [(c.status_from, c.status_to) for c in changes] == [
            ("open", "in_progress"),
            ("in_progress", "closed"),
        ]
        assert changes[0].owner_from_person_id == mrso and changes[0].owner_to_person_id == other


def test_only_the_mrso_or_director_reassigns_whoever_calls(
    client: FlaskClient, mrso: int, app: Flask, setup_data
) -> None:  # type: ignore[no-untyped-def]
    audit_id = _start(client)
    _answers(client, audit_id, "sign", fail={"crash-cart-outside": "Crash cart inside Zone IV"})

    def owner_tech() -> int:
        person = factories.person(given="Sam", family="Owner")
        factories.user("owner1", "technologist", person_id=person.id)
        return person.id

    owner = setup_data(owner_tech)
    with app.app_context():
        action = db.session.scalars(select(CorrectiveAction)).one()
        action.owner_person_id = owner
        db.session.commit()
        action_id, due = action.id, action.due_on
        tech = db.session.scalars(select(User).where(User.username == "owner1")).one()
        with pytest.raises(ReassignError):  # the rule lives in the service, not the view
            update_action(action, actor=tech, status="open", note="mine no more",
                          owner_id=mrso, due_on=due)  # fmt: skip
        db.session.rollback()
    owner_client = app.test_client()
    AuthActions(owner_client).sign_in("owner1", factories.PASSWORD)
    refused = _update(owner_client, action_id, status="open", owner_person_id=mrso,
                      due_on=due.isoformat(), note="not mine")  # fmt: skip
    assert refused.status_code == 400
    assert "Only the MRSO or the safety director" in refused.get_data(as_text=True)
    progressed = _update(owner_client, action_id, status="in_progress", owner_person_id=owner,
                         due_on=due.isoformat(), note="Ordered a new floor marking")  # fmt: skip
    assert progressed.status_code == 302
    with app.app_context():
        assert [c.status_to for c in db.session.scalars(select(ActionChange))] == ["in_progress"]
