"""The tamper-evident audit trail: chain, verification, concurrency, the view."""

from __future__ import annotations

import io
import threading

import pandas as pd
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from tests import factories
from tests.conftest import AuthActions
from zonekeeper.audit.models import AuditEvent
from zonekeeper.audit.services import record_event, verify_chain
from zonekeeper.extensions import db


def _append(app: Flask, count: int) -> None:
    with app.app_context():
        for n in range(count):
            record_event("test.event", f"event {n}", after={"n": n})
            db.session.commit()


def test_intact_chain_verifies_and_cli_exits_0(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    _append(app, 5)
    with app.app_context():
        assert verify_chain() == (5, None)
    result = runner.invoke(["audit", "verify"])
    assert result.exit_code == 0 and "OK: 5 audit event(s)" in result.output


def test_an_edited_row_is_detected_and_named(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    _append(app, 5)
    with app.app_context():
        row = db.session.scalars(select(AuditEvent).where(AuditEvent.seq == 3)).one()
        db.session.execute(text("UPDATE audit_events SET summary = 'nothing to see' WHERE seq = 3"))
        db.session.commit()
        checked, broken = verify_chain()
    assert checked == 2 and broken.seq == 3 and broken.event_id == row.id
    assert "was changed" in broken.problem
    result = runner.invoke(["audit", "verify"])
    assert result.exit_code == 1
    assert f"row id {row.id} (seq 3)" in result.output


def test_a_deleted_row_is_detected(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    _append(app, 5)
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_events WHERE seq = 2"))
        db.session.commit()
        _, broken = verify_chain()
    assert broken.seq == 3 and "seq 2 missing" in broken.problem
    assert runner.invoke(["audit", "verify"]).exit_code == 1


def test_deleting_the_newest_rows_is_detected(app: Flask) -> None:
    _append(app, 4)
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_events WHERE seq >= 3"))
        db.session.commit()
        checked, broken = verify_chain()
    assert checked == 2 and "newest rows were deleted" in broken.problem


def test_a_recomputed_hash_without_the_key_is_detected(app: Flask) -> None:
    """Someone who edits a row and rehashes it with a guessed key is still caught."""
    import hashlib

    _append(app, 3)
    with app.app_context():
        forged = hashlib.sha256(b"forged").hexdigest()
        db.session.execute(
            text("UPDATE audit_events SET row_hash = :h WHERE seq = 2"), {"h": forged}
        )
        db.session.commit()
        _, broken = verify_chain()
    assert broken.seq == 2


def test_concurrent_appends_never_fork_the_chain(app: Flask) -> None:
    threads = [threading.Thread(target=_append, args=(app, 10)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        assert verify_chain() == (40, None)
        seqs = db.session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)).all()
    assert seqs == list(range(1, 41))


def test_audit_view_filters_and_exports(
    client: FlaskClient, auth: AuthActions, setup_data, app: Flask
) -> None:  # type: ignore[no-untyped-def]
    person_id = setup_data(lambda: factories.person(given="Pat").id)
    setup_data(lambda: factories.user("director1", "safety_director"))
    with app.app_context():
        record_event("training.record", "Recorded level_2 training", person_id=person_id)
        record_event("screening.record", "Recorded staff screening", person_id=None)
        db.session.commit()
    auth.sign_in("director1", factories.PASSWORD)
    page = client.get(f"/audit/?person_id={person_id}").get_data(as_text=True)
    assert "Recorded level_2 training" in page and "Recorded staff screening" not in page
    by_action = client.get("/audit/?action=screening.record").get_data(as_text=True)
    assert "Recorded staff screening" in by_action and "Recorded level_2 training" not in by_action
    assert client.get("/audit/?date_from=2026-02-01&date_to=2026-01-01").status_code == 400
    export = client.get("/audit/export.csv?action=training.record")
    frame = pd.read_csv(io.BytesIO(export.data), encoding="utf-8-sig")
    assert frame["action"].tolist() == ["training.record"]
    assert len(frame["row_hash"][0]) == 64


def test_truncating_and_rewinding_the_head_is_detected(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    """Delete the newest rows and set the head back to the last remaining row."""
    _append(app, 4)
    with app.app_context():
        row = db.session.scalars(select(AuditEvent).where(AuditEvent.seq == 2)).one()
        db.session.execute(text("DELETE FROM audit_events WHERE seq > 2"))
        db.session.execute(
            text("UPDATE audit_chain_head SET last_seq = 2, last_hash = :h"), {"h": row.row_hash}
        )
        db.session.commit()
        _, broken = verify_chain()
    assert broken is not None and "seal" in broken.problem
    assert runner.invoke(["audit", "verify"]).exit_code == 1


def test_a_head_rewound_to_an_old_sealed_state_fails_min_seq(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    _append(app, 2)
    with app.app_context():
        old = db.session.execute(
            text("SELECT last_seq, last_hash, head_mac FROM audit_chain_head")
        ).one()
    _append(app, 3)
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_events WHERE seq > 2"))
        db.session.execute(
            text("UPDATE audit_chain_head SET last_seq = :s, last_hash = :h, head_mac = :m"),
            {"s": old[0], "h": old[1], "m": old[2]},
        )
        db.session.commit()
        assert verify_chain() == (2, None)  # a replayed old head is self-consistent ...
    result = runner.invoke(["audit", "verify", "--min-seq", "5"])  # ... the recorded count is not
    assert result.exit_code == 1 and "rows were removed" in result.output
