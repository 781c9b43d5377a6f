"""Database plumbing shared by every feature: the declarative base, UTC times,
and the SQLite connection settings (WAL, busy timeout, foreign keys)."""

from __future__ import annotations

import fcntl
import itertools
import os
import threading
import time
from collections import namedtuple
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, registry, scoped_session
from sqlalchemy.types import TypeDecorator

from . import pg_pipeline


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend.

    SQLite has no time zones and hands back naive values; this stores UTC and
    always returns an aware datetime. Naive input is refused, not guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(type_annotation_map={datetime: UTCDateTime})


def engine_options(database_url: str, busy_timeout_ms: int) -> dict[str, Any]:
    # a failed statement's message leaves its parameters out: they may name a patient,
    # and such messages reach the logs
    if database_url.startswith("sqlite"):
        return {"connect_args": {"timeout": busy_timeout_ms / 1000}, "hide_parameters": True}
    # Connections are checked on checkout when idle (see configure_pool_ping). psycopg
    # prepares no statements of its own: it would DEALLOCATE ALL on a rollback, the
    # door scan's statements with them (see pg_pipeline.py, which prepares those).
    return {"connect_args": {"prepare_threshold": None}, "hide_parameters": True}


PING_AFTER_IDLE_SECONDS = 2.0


def configure_pool_ping(engine: Engine) -> None:
    """Check a pooled connection before use when it has been idle, not on every checkout.

    SQLAlchemy's ``pool_pre_ping`` costs every request a round trip; a door scan
    comes in every few milliseconds on a busy site and its connection was just used.
    A connection idle for more than ``PING_AFTER_IDLE_SECONDS`` is pinged; a dead one
    raises ``DisconnectionError``, which makes the pool replace it and try again (the
    pessimistic disconnect handling of SQLAlchemy's documentation). A server restart
    within those seconds fails one request per pooled connection, and a scan that fails
    is denied with system_error and logged on a fresh connection. No-op for SQLite.
    """
    if engine.dialect.name == "sqlite":
        return

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["zk_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("zk_idle_since")
        if since is not None and time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("the pooled connection is gone") from exc


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, a busy timeout, foreign keys, and every transaction ``BEGIN IMMEDIATE``.

    SQLite's default deferred transactions let two requests read the same state
    and then both write (two grants, a forked audit chain), or fail when a read
    snapshot is upgraded to a write. Taking the write lock at BEGIN serialises
    read-decide-write sequences; PostgreSQL gets the same from SELECT ... FOR UPDATE.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy, not pysqlite, emits BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


READ_ONLY = "zonekeeper_read_only"


def begin_read(session: Session) -> None:
    """Open the session's transaction for reading only.

    On SQLite a deferred ``BEGIN``: it takes no write lock, so work that needs
    no lock (a scan's badge and person records) runs beside another request's
    write instead of queueing behind it. End it before writing: upgrading a
    read snapshot to a write fails when another writer committed meanwhile.
    Elsewhere it changes nothing.
    """
    session.connection(execution_options={READ_ONLY: True})


def begin_scan(session: Session | scoped_session[Session]) -> None:
    """Open the session's connection for one door scan, which manages its own transaction.

    On SQLite: ``begin_read`` (the write transaction begins IMMEDIATE later). On
    PostgreSQL the connection runs in autocommit: the reads before the lock are
    single statements that need no transaction (each reads committed data), and the
    scan's locked part sends BEGIN with its first statements and COMMIT with its
    last (``fetch_rows_in_turn(begin=..., commit=...)``), two round trips fewer
    than the driver's own BEGIN and COMMIT. Anything that writes on this connection
    must first call ``ensure_transaction``; the session's commit or rollback ends
    a transaction still open, and the pool restores the isolation level on return.
    A session that is already in a transaction is left as it is.
    """
    current = session() if isinstance(session, scoped_session) else session
    if current.get_bind().dialect.name != "postgresql":
        begin_read(current)
    elif current.get_transaction() is None:
        current.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def _driver_in_autocommit(connection: Connection) -> Any:
    """The psycopg connection when the scan manages the transaction (see begin_scan)."""
    if connection.dialect.name != "postgresql":
        return None
    driver: Any = connection.connection.driver_connection
    return driver if driver.autocommit else None


def ensure_transaction(connection: Connection) -> None:
    """Before locking or writing on PostgreSQL: BEGIN now unless a transaction is open.

    Needed on a connection opened by ``begin_scan`` (autocommit), and on any other
    before statements sent through pg_pipeline, which bypasses psycopg's own implicit
    BEGIN: without it a lock would end with its statement. A no-op on SQLite.
    """
    if connection.dialect.name != "postgresql":
        return
    driver: Any = connection.connection.driver_connection
    if driver.info.transaction_status == _IDLE:
        pg_pipeline.run(driver, ["BEGIN"])


_IDLE = 0  # psycopg.pq.TransactionStatus.IDLE
# A scan's COMMIT, sent with its last write (see fetch_rows_in_turn). The commit itself
# does not wait for the disk, so the access log's lock is released at once instead of
# after an fsync. The statement after it runs in a transaction of its own that writes
# a WAL record (a transactional logical message, which nothing consumes), so its commit
# is synchronous: at the pipeline's end it waits until the WAL is flushed up to it, which
# includes the scan's commit. The reader's answer is sent only after that: an answered
# scan is on disk. (A second transaction that writes no WAL would commit asynchronously
# too: taking a transaction id alone is not enough.)
_COMMIT = (
    "SET LOCAL synchronous_commit TO OFF",
    "COMMIT",
    "SELECT pg_logical_emit_message(true, 'zonekeeper', 'scan committed')",
)

_turn_threads = threading.Lock()
_turn_files: dict[tuple[int, str], int] = {}


@contextmanager
def sqlite_write_turn(engine: Engine) -> Iterator[None]:
    """Queue for SQLite's write lock without its busy handler's sleeps.

    A writer that finds the database locked sleeps in SQLite's busy handler
    (1, 2, 5 ... 100 ms back-off) and so wakes long after the lock is free:
    under load that sleep, not the work, sets the tail latency. Waiting here
    instead (a thread lock, then a blocking ``flock`` between processes) wakes
    the next writer the moment the current one is done. Take it just before
    the transaction begins and hold it until after the commit. The busy handler
    still guards writers that do not queue here. No-op off SQLite or in memory.
    """
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:":
        yield
        return
    with _turn_threads:  # flock does not exclude threads sharing one descriptor
        key = (os.getpid(), path)  # a descriptor inherited across fork would share the lock
        fd = _turn_files.get(key)
        if fd is None:
            fd = _turn_files[key] = os.open(f"{path}.writelock", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


@dataclass(frozen=True, slots=True)
class _Plan:
    """A statement compiled once for PostgreSQL, with what SQLAlchemy would do around it."""

    sql: str
    positions: tuple[str, ...] | None  # parameter names in order, for a positional driver
    defaults: dict[str, Any]  # literal values the statement binds itself (``id = 1``)
    binds: tuple[tuple[str, Callable[[Any], Any]], ...]  # type processors, by parameter
    results: tuple[tuple[int, Callable[[Any], Any]], ...]  # type processors, by column
    row: Any  # a named tuple class: rows read by attribute, as SQLAlchemy's rows are
    prepared: pg_pipeline.Prepared | None  # PostgreSQL: the statement as libpq prepares it


_plans: dict[int, tuple[Any, _Plan | None]] = {}
_plan_numbers = itertools.count()  # a prepared statement's name is never used for another


def _plan(statement: Any, dialect: Dialect) -> _Plan | None:
    """None when the statement needs what this path does not do (expanding IN, escaped names)."""
    compiled: Any = statement.compile(dialect=dialect)
    if (
        compiled.escaped_bind_names
        or compiled.literal_execute_params
        or compiled.post_compile_params
    ):
        return None
    names = [column[0] for column in compiled._result_columns]
    if len(set(names)) != len(names) or not all(name.isidentifier() for name in names):
        return None
    results = tuple(
        (index, processor)
        for index, column in enumerate(compiled._result_columns)
        if (processor := column[3]._cached_result_processor(dialect, None)) is not None
    )
    return _Plan(
        str(compiled),
        tuple(compiled.positiontup) if compiled.positional else None,
        {name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required},
        tuple(compiled._bind_processors.items()),
        results,
        namedtuple("Row", names) if names else None,  # type: ignore[misc]  # noqa: PYI024
        pg_pipeline.prepared(f"s{next(_plan_numbers)}", str(compiled))
        if dialect.name == "postgresql"
        else None,
    )


def fetch_rows(connection: Connection, statement: Any, params: dict[str, Any]) -> list[Any]:
    """Run a cached Core statement in the connection's transaction; its rows as named tuples.

    On PostgreSQL and SQLite the statement is compiled once and run on the driver's
    connection directly, with the same SQL and type processing as ``connection.execute``
    but without its per-statement machinery (execution context, result metadata from
    ``cursor.description``, events), which cost a door scan more CPU than the
    database's own work; on PostgreSQL it is prepared once per connection and sent
    through libpq (pg_pipeline.py).
    Elsewhere: ``connection.execute``. For hot, fixed statements only: ``statement``
    must live as long as the process.
    """
    dialect = connection.dialect
    if dialect.name not in _DIRECT:
        return list(connection.execute(statement, params).all())
    cached = _plans.get(id(statement))
    if cached is None or cached[0] is not statement:
        cached = _plans[id(statement)] = (statement, _plan(statement, dialect))
    plan = cached[1]
    if plan is None:
        return list(connection.execute(statement, params).all())
    driver: Any = connection.connection.driver_connection
    if plan.positions is not None:  # SQLite's driver: ? placeholders
        values = _values(plan, params)
        cursor = driver.execute(plan.sql, tuple(values[name] for name in plan.positions))
        try:
            return _rows(plan, cursor.fetchall() if plan.row is not None else [])
        finally:
            cursor.close()
    assert plan.prepared is not None
    with _lost_connection_invalidates(connection):
        (rows,) = pg_pipeline.run(driver, [(plan.prepared, _values(plan, params))])
    return _rows(plan, rows)


_DIRECT = frozenset({"postgresql", "sqlite"})  # drivers fetch_rows runs statements on


@contextmanager
def _lost_connection_invalidates(connection: Connection) -> Iterator[None]:
    """The driver's own calls bypass SQLAlchemy's disconnect handling: a connection the
    server dropped is marked invalid here, so the pool discards it instead of lending it
    again, and the error goes on (the app answers 503: see errors.py)."""
    try:
        yield
    except psycopg.OperationalError as exc:
        if connection.connection.driver_connection.closed:
            connection.invalidate(exc)
        raise


def fetch_rows_in_turn(
    connection: Connection,
    *statements: tuple[Any, dict[str, Any]],
    begin: bool = False,
    commit: bool = False,
) -> list[list[Any]]:
    """``fetch_rows`` for each statement, run one after another as separate statements.

    On PostgreSQL they are sent together (a libpq pipeline: pg_pipeline.py): one round
    trip instead of one each. The server still runs each in turn, each with its own snapshot, so a
    statement after one that waited for a row lock reads what was committed meanwhile.
    ``begin`` sends BEGIN first unless a transaction is open (SQLite's began IMMEDIATE
    already). On a connection opened by ``begin_scan``, ``commit`` sends COMMIT after
    the statements, in the same round trip; elsewhere the session commits.
    """
    dialect = connection.dialect
    plans = [_plans.get(id(statement)) for statement, _ in statements]
    if dialect.name != "postgresql" or any(
        cached is None or cached[0] is not statement or cached[1] is None
        for cached, (statement, _) in zip(plans, statements, strict=True)
    ):  # first use (compile it) or not for this path: one at a time
        if begin:
            ensure_transaction(connection)
        results = [fetch_rows(connection, statement, params) for statement, params in statements]
        own_transaction = _driver_in_autocommit(connection)
        if commit and own_transaction is not None:  # the same commit and flush as below
            with _lost_connection_invalidates(connection):
                pg_pipeline.run(own_transaction, list(_COMMIT))
        return results
    driver: Any = connection.connection.driver_connection
    own = driver.autocommit  # the scan's own transaction (begin_scan)
    steps: list[pg_pipeline.Step] = []
    if begin and driver.info.transaction_status == _IDLE:
        steps.append("BEGIN")  # also when not ``own``: pg_pipeline bypasses psycopg's BEGIN
    for cached, (_, params) in zip(plans, statements, strict=True):
        plan = cached[1]  # type: ignore[index]
        steps.append((plan.prepared, _values(plan, params)))
    if commit and own:
        steps.extend(_COMMIT)
    with _lost_connection_invalidates(connection):
        rows = pg_pipeline.run(driver, steps)
    return [
        _rows(cached[1], plan_rows)  # type: ignore[index]
        for cached, plan_rows in zip(plans, rows, strict=True)
    ]


def _values(plan: _Plan, params: dict[str, Any]) -> dict[str, Any]:
    values = {**plan.defaults, **params}
    for name, process in plan.binds:
        if name in values:
            values[name] = process(values[name])
    return values


def _rows(plan: _Plan, rows: list[Any]) -> list[Any]:
    if not rows:
        return []
    if plan.results:
        rows = [list(row) for row in rows]
        for row in rows:
            for index, process in plan.results:
                row[index] = process(row[index])
    return [plan.row._make(row) for row in rows]
