"""A reader scan's transaction: who is answered first, failures under the lock, connections
that died in the pool. On PostgreSQL a scan runs its reads in autocommit and sends its own
BEGIN and COMMIT (see db.begin_scan): nothing may be left open or half-written."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, func, select, text

from tests.conftest import _backend
from tests.functional.test_door_scans import _count_events, scan, site  # noqa: F401 - fixture
from zonekeeper import db as zk_db
from zonekeeper.doors import scan_writer
from zonekeeper.doors.access_log import verify_access_log
from zonekeeper.doors.models import AccessEvent, Presence
from zonekeeper.extensions import db

URL = "/api/v1/doors/mri-1/scans"


def _postgresql(app: Flask) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


def _left_open(app: Flask) -> int:
    """This test run's connections idle inside a transaction (a held lock, on PostgreSQL)."""
    with app.app_context():
        url = db.engine.url
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            return int(
                connection.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND application_name = current_setting('application_name')"
                        " AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
                    )
                ).scalar_one()
            )
    finally:
        admin.dispose()


@pytest.fixture
def drop_connections(app: Flask) -> Iterator[Callable[[], None]]:
    """What a server restart does to the app's pooled connections: the server ends them.
    Afterwards the pool starts anew, for the next test's clean-up."""
    with app.app_context():
        url = db.engine.url

    def drop() -> None:
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                        " AND application_name = current_setting('application_name')"
                    )
                )
        finally:
            admin.dispose()

    yield drop
    with app.app_context():
        db.engine.dispose()


def test_who_may_post_is_answered_before_what_was_posted(client: FlaskClient, site) -> None:  # noqa: F811
    headers = {"Content-Type": "application/json"}
    not_json = b"{not json"
    refused = client.post(
        URL, data=not_json, headers={**headers, "Authorization": "Bearer wrong-token"}
    )
    assert refused.status_code == 401
    allowed = {**headers, "Authorization": f"Bearer {site['devices']['mri-1']}"}
    assert client.post(URL, data=not_json, headers=allowed).get_json()["error"] == "invalid_json"


def test_a_field_named_body_is_an_unknown_field_not_a_broken_body(
    client: FlaskClient,
    site,  # noqa: F811
) -> None:
    response = client.post(
        URL,
        json={"text": site["badges"]["level_2"], "body": 1},
        headers={"Authorization": f"Bearer {site['devices']['mri-1']}"},
    )
    assert response.status_code == 422
    assert response.get_json()["problems"] == [{"field": "body", "problem": "unknown field"}]


@pytest.mark.parametrize("code", ["mri%001", "mri-1%0A", "%C3%A9%00"])
def test_a_door_code_with_control_characters_is_an_unknown_door(
    client: FlaskClient,
    site,  # noqa: F811
    code: str,
) -> None:
    response = client.post(
        f"/api/v1/doors/{code}/scans",
        json={"text": site["badges"]["level_2"]},
        headers={"Authorization": f"Bearer {site['devices']['mri-1']}"},
    )
    assert response.status_code == 404
    assert response.get_json()["error"] == "unknown_door"


def test_a_failure_under_the_lock_rolls_back_releases_the_lock_and_is_logged(
    client: FlaskClient,
    site,  # noqa: F811
    app: Flask,
    another_app,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    append = scan_writer.Writer.append

    def broken_append(self: Any, event: Any, door_id: int, last: bool) -> Any:
        append(self, event, door_id, False)  # written, then...
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(scan_writer.Writer, "append", broken_append)
    data = scan(client, site, "mri-1", site["badges"]["level_2"]).get_json()
    assert data["outcome"] == "deny" and data["reason_codes"] == ["system_error"]
    with app.app_context():
        events = db.session.scalars(select(AccessEvent)).all()
        assert [event.reason_codes for event in events] == [["system_error"]]  # no half
        assert db.session.scalar(select(func.count()).select_from(Presence)) == 0
        assert verify_access_log()[1] is None
    if _postgresql(app):
        assert _left_open(app) == 0
    monkeypatch.undo()
    # another worker (its own pool) is not kept waiting for a lock the failure held
    other = another_app()
    granted = scan(other.test_client(), site, "mri-1", site["badges"]["level_2"]).get_json()
    assert granted["outcome"] == "grant"


def test_no_outcome_leaves_a_transaction_open_or_a_connection_in_autocommit(
    client: FlaskClient,
    site,  # noqa: F811
    app: Flask,
) -> None:
    badges = site["badges"]
    answers = [
        scan(client, site, "mri-1", badges["level_2"]).get_json(),
        scan(client, site, "mri-1", badges["level_2"]).get_json(),  # passback
        scan(client, site, "mri-1", badges["visitor"]).get_json(),
        scan(client, site, "mri-1", badges["level_2"], "out").get_json(),
        scan(client, site, "mri-1", badges["level_2"]).get_json(),  # escorts the visitor in
        scan(client, site, "mri-1", "garbage").get_json(),
    ]
    assert [answer["outcome"] for answer in answers] == [
        "grant",
        "grant",
        "escort_pending",
        "exit",
        "grant",
        "deny",
    ]
    assert answers[4]["escorting"] == ["Vic Visitor"]
    with app.app_context():
        assert verify_access_log() == (7, None)  # six scans and one pairing
        if db.engine.dialect.name != "postgresql":
            return
        pooled = db.engine.raw_connection()
        try:
            assert pooled.driver_connection.autocommit is False  # type: ignore[union-attr]
        finally:
            pooled.close()
    assert _left_open(app) == 0


if _backend() != "sqlite":  # SQLite has no server connection to lose

    @pytest.mark.parametrize(
        ("idle_ping_seconds", "first_status"),
        [
            (0.0, 201),  # idle long enough to be pinged: replaced before the scan
            (3600.0, 503),  # used moments ago, not pinged: that scan fails closed
        ],
    )
    def test_after_the_server_drops_the_pooled_connections_no_scan_is_lost_or_granted(
        client: FlaskClient,
        site,  # noqa: F811
        app: Flask,
        drop_connections: Callable[[], None],
        monkeypatch: pytest.MonkeyPatch,
        idle_ping_seconds: float,
        first_status: int,
    ) -> None:
        monkeypatch.setattr(zk_db, "PING_AFTER_IDLE_SECONDS", idle_ping_seconds)
        badge = site["badges"]["level_2"]
        assert scan(client, site, "mri-1", badge).get_json()["outcome"] == "grant"
        drop_connections()
        first = scan(client, site, "mri-1", badge, "out")
        assert first.status_code == first_status
        if first_status == 503:
            assert first.get_json()["error"] == "database_unavailable"  # the kiosk: OFFLINE
            first = scan(client, site, "mri-1", badge, "out")  # the pool has started anew
        assert first.status_code == 201 and first.get_json()["outcome"] == "exit"
        assert _count_events(app) == 2

    def test_the_lock_is_held_until_the_end_of_the_transaction_on_any_connection(
        app: Flask,
    ) -> None:
        """Statements sent through the libpq pipeline skip psycopg's implicit BEGIN: the
        scan's lock must still last until commit on an ordinary session connection."""
        from sqlalchemy.exc import OperationalError

        from zonekeeper.db import fetch_rows_in_turn
        from zonekeeper.doors.scan_statements import LOCK_HEAD

        with app.app_context():
            for _ in range(2):  # the first use compiles the statement and takes another path
                db.session.rollback()
                connection = db.session.connection()  # not begin_scan's autocommit
                assert fetch_rows_in_turn(connection, (LOCK_HEAD, {}), begin=True) == [[(1,)]]
            other = db.engine.connect()
            try:
                with pytest.raises(OperationalError, match="could not obtain lock"):
                    other.execute(
                        text("SELECT id FROM access_log_head WHERE id = 1 FOR UPDATE NOWAIT")
                    )
            finally:
                other.close()
                db.session.rollback()


def test_a_failed_statement_s_message_leaves_its_parameters_out(app: Flask) -> None:
    """Error messages reach the logs; a statement's parameters may name a patient."""
    from sqlalchemy.exc import DBAPIError

    with app.app_context():
        with pytest.raises(DBAPIError) as failure:
            db.session.execute(
                text("SELECT * FROM no_such_table WHERE name = :name"),
                {"name": "Elena Varga, DOB 1961-04-02"},
            )
        db.session.rollback()
    assert "Elena" not in str(failure.value)
    assert "hidden due to hide_parameters" in str(failure.value)


if _backend() != "sqlite":
    from sqlalchemy import String, func
    from sqlalchemy import select as _select

    from zonekeeper.doors.models import AccessLogHead

    _HEAD = AccessLogHead.__table__
    TOUCH_HEAD = _HEAD.update().where(_HEAD.c.id == 1).values(head_mac=_HEAD.c.head_mac)
    WAL_POSITION = _select(func.pg_current_wal_insert_lsn().cast(String).label("lsn"))

    def test_a_committed_scan_is_on_disk_when_the_pipeline_returns(app: Flask) -> None:
        """The scan commits without waiting for the disk (the lock is released sooner); the
        answer must still wait for the WAL flush. Checked against the WAL position written
        by the scan itself, inside its transaction."""
        from zonekeeper.db import begin_scan, fetch_rows_in_turn
        from zonekeeper.doors.scan_statements import LOCK_HEAD

        with app.app_context():
            for _ in range(5):  # the first use compiles the statements and takes another path
                begin_scan(db.session)
                connection = db.session.connection()
                fetch_rows_in_turn(connection, (LOCK_HEAD, {}), begin=True)
                rows = fetch_rows_in_turn(
                    connection, (TOUCH_HEAD, {}), (WAL_POSITION, {}), commit=True
                )
                written = rows[1][0].lsn
                db.session.commit()
                flushed = db.session.execute(
                    text("SELECT pg_current_wal_flush_lsn() >= CAST(:lsn AS pg_lsn)"),
                    {"lsn": written},
                ).scalar_one()
                db.session.rollback()
                assert flushed, f"the scan's WAL up to {written} was not on disk"
