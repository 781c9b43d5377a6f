"""A door scan's statements on PostgreSQL, sent as one pipeline on libpq directly.

psycopg's cursors cost a scan about 50 µs of CPU per statement (a cursor, a
generator per wait, adaptation maps, its prepared-statement bookkeeping); a scan
sends eight, on a path where CPU sets the doors' throughput. Here the statements
are prepared once per connection under their own names, sent together with one
Sync (``psycopg.pq``, the libpq wrapper psycopg documents for this), and their
rows loaded with psycopg's own ``Transformer``, so values come back exactly as
through a cursor. Only what ``db.fetch_rows`` and ``db.fetch_rows_in_turn`` send.

Errors: the first failing statement's error is raised as psycopg raises it (the
statements after it are skipped by the server); a lost connection raises
``psycopg.OperationalError``. The connection is out of pipeline mode either way.
"""

from __future__ import annotations

import re
import select
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import pq
from psycopg.adapt import PyFormat, Transformer

_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


@dataclass(frozen=True, slots=True)
class Prepared:
    """A statement in libpq's form: ``$n`` placeholders and the parameter names in order."""

    name: bytes
    sql: bytes
    order: tuple[str, ...]


def prepared(name: str, pyformat_sql: str) -> Prepared:
    """``pyformat_sql`` (``%(name)s`` placeholders, ``%%`` for %) as a named statement."""
    order: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match.group(0) == "%%":
            return "%"
        parameter = match.group(1)
        if parameter not in order:
            order.append(parameter)
        return f"${order.index(parameter) + 1}"

    sql = _PLACEHOLDER.sub(number, pyformat_sql)
    return Prepared(f"zk_{name}".encode(), sql.encode(), tuple(order))


Step = tuple[Prepared, dict[str, Any]] | str  # a statement and its values, or a command


# statements prepared on each connection (a new or replaced connection prepares again)
_prepared_on: weakref.WeakKeyDictionary[Any, set[bytes]] = weakref.WeakKeyDictionary()
_TEXT = PyFormat.TEXT
_SYNC = pq.ExecStatus.PIPELINE_SYNC
_FAILED = (pq.ExecStatus.FATAL_ERROR, pq.ExecStatus.PIPELINE_ABORTED)


def run(driver: psycopg.Connection[Any], steps: Sequence[Step]) -> list[list[tuple[Any, ...]]]:
    """Send ``steps`` in one round trip; the rows of each statement (commands give none).

    The statements stay prepared for the connection's life: psycopg prepares none of its
    own (``prepare_threshold=None``), so it never deallocates them. Should the server's
    prepared statements and this module's record of them differ all the same (someone
    ran DEALLOCATE ALL), the record is reset: at once, and the call repeated, when
    nothing had begun; else from the next call on, this one failing closed.
    """
    try:
        return _run(driver, steps)
    except (psycopg.errors.InvalidSqlStatementName, psycopg.errors.DuplicatePreparedStatement):
        _prepared_on.pop(driver, None)
        if driver.pgconn.transaction_status != pq.TransactionStatus.IDLE or any(
            step in ("BEGIN", "COMMIT") for step in steps
        ):  # a transaction had begun or ended here: what it did must not be done twice
            raise
    _run(driver, ["DEALLOCATE ALL"])  # what the server has, from nothing (no implicit BEGIN)
    return _run(driver, steps)


_ROWS, _PREPARE, _COMMAND = range(3)  # what each result sent in a pipeline answers


def _run(driver: psycopg.Connection[Any], steps: Sequence[Step]) -> list[list[tuple[Any, ...]]]:
    pgconn = driver.pgconn
    known = _prepared_on.setdefault(driver, set())
    transformer = Transformer(driver)
    sent: list[tuple[int, bytes]] = []  # per result expected: what it answers, which name
    synced = False
    pgconn.enter_pipeline_mode()
    try:
        for step in steps:
            if isinstance(step, str):
                pgconn.send_query_params(step.encode(), None)
                sent.append((_COMMAND, b""))
                continue
            statement, values = step
            if statement.name not in known and (_PREPARE, statement.name) not in sent:
                pgconn.send_prepare(statement.name, statement.sql)
                sent.append((_PREPARE, statement.name))
            params = transformer.dump_sequence(
                [values[name] for name in statement.order], [_TEXT] * len(statement.order)
            )
            pgconn.send_query_prepared(statement.name, params)
            sent.append((_ROWS, statement.name))
        pgconn.pipeline_sync()
        synced = True
        _send(pgconn)
        results = _receive(pgconn)
    finally:
        if pgconn.pipeline_status != pq.PipelineStatus.OFF:
            _drain(pgconn, synced)
    for (answers, name), result in zip(sent, results, strict=True):
        if answers == _PREPARE and result.status == pq.ExecStatus.COMMAND_OK:
            known.add(name)  # prepared, even if a later statement fails
    failure = next((r for r in results if r.status in _FAILED), None)
    if failure is not None:
        if failure.status == pq.ExecStatus.FATAL_ERROR:
            raise psycopg.errors.error_from_result(failure, encoding=driver.info.encoding)
        raise psycopg.OperationalError("the pipeline was aborted")
    rows: list[list[tuple[Any, ...]]] = []
    for (answers, _name), result in zip(sent, results, strict=True):
        if answers == _ROWS:
            transformer.set_pgresult(result)
            rows.append(transformer.load_rows(0, result.ntuples, tuple))
    return rows


def _wait(pgconn: pq.abc.PGconn, event: int) -> None:
    """Until the socket is ready (poll, not select: no limit on the descriptor's number)."""
    poller = select.poll()
    poller.register(pgconn.socket, event)
    poller.poll()


def _send(pgconn: pq.abc.PGconn) -> None:
    while pgconn.flush():
        _wait(pgconn, select.POLLOUT)


def _receive(pgconn: pq.abc.PGconn) -> list[pq.abc.PGresult]:
    """Every statement's result up to the Sync, in order (one each), then out of pipeline."""
    results: list[pq.abc.PGresult] = []
    while True:
        while pgconn.is_busy():
            _wait(pgconn, select.POLLIN)
            pgconn.consume_input()
        result = pgconn.get_result()
        if result is None:
            continue  # the end of one statement's results
        if result.status == _SYNC:
            break
        results.append(result)
    pgconn.exit_pipeline_mode()
    return results


def _drain(pgconn: pq.abc.PGconn, synced: bool) -> None:
    """After an error mid-way: read what is left so the connection leaves pipeline mode."""
    try:
        if not synced:
            pgconn.pipeline_sync()
        _send(pgconn)
        _receive(pgconn)
    except psycopg.Error:
        pass  # a lost connection: the caller's error goes on and the pool discards it
