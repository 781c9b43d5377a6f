"""The door scan's libpq pipeline (zonekeeper.pg_pipeline): placeholders, errors, and
statements that vanished from the server. The pipeline itself exists on PostgreSQL only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from flask import Flask

from tests.conftest import _backend
from zonekeeper import pg_pipeline
from zonekeeper.extensions import db


def test_pyformat_placeholders_become_numbered_ones_and_repeat_by_name() -> None:
    statement = pg_pipeline.prepared(
        "x", "SELECT %(a)s::INTEGER, %(b)s, %(a)s, '100%%' WHERE c LIKE '%%z'"
    )
    assert statement.sql == b"SELECT $1::INTEGER, $2, $1, '100%' WHERE c LIKE '%z'"
    assert statement.order == ("a", "b")
    assert statement.name == b"zk_x"


if _backend() != "sqlite":

    @pytest.fixture
    def driver(app: Flask) -> Iterator[Any]:
        with app.app_context():
            raw = db.engine.raw_connection()
            connection = raw.driver_connection
            connection.autocommit = True
            try:
                yield connection
            finally:
                connection.rollback()
                connection.autocommit = False
                raw.close()

    SUM = pg_pipeline.prepared("test_sum", "SELECT %(a)s::INTEGER + %(b)s::INTEGER AS total")
    FAIL = pg_pipeline.prepared("test_fail", "SELECT 1 / %(zero)s::INTEGER")

    def test_statements_and_commands_go_in_one_pipeline_and_come_back_typed(driver) -> None:  # type: ignore[no-untyped-def]
        rows = pg_pipeline.run(
            driver, ["BEGIN", (SUM, {"a": 2, "b": 3}), (SUM, {"a": 40, "b": 2}), "COMMIT"]
        )
        assert rows == [[(5,)], [(42,)]]
        assert driver.pgconn.transaction_status == psycopg.pq.TransactionStatus.IDLE

    def test_an_error_raises_as_psycopg_would_and_leaves_the_connection_usable(driver) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(psycopg.errors.DivisionByZero):
            pg_pipeline.run(driver, ["BEGIN", (FAIL, {"zero": 0}), (SUM, {"a": 1, "b": 1})])
        status = psycopg.pq
        assert driver.pgconn.pipeline_status == status.PipelineStatus.OFF
        assert driver.pgconn.transaction_status == status.TransactionStatus.INERROR
        driver.execute("ROLLBACK")
        assert pg_pipeline.run(driver, [(SUM, {"a": 1, "b": 1})]) == [[(2,)]]
        # the failing statement was prepared before it failed, and is known to be
        with pytest.raises(psycopg.errors.DivisionByZero):
            pg_pipeline.run(driver, [(FAIL, {"zero": 0})])

    def test_statements_deallocated_behind_its_back_are_prepared_again(driver) -> None:  # type: ignore[no-untyped-def]
        assert pg_pipeline.run(driver, [(SUM, {"a": 1, "b": 2})]) == [[(3,)]]
        driver.execute("DEALLOCATE ALL")
        # nothing had begun: prepared again at once
        assert pg_pipeline.run(driver, [(SUM, {"a": 2, "b": 2})]) == [[(4,)]]
        driver.execute("DEALLOCATE ALL")
        # inside a transaction it fails closed, and the next call prepares again
        driver.execute("BEGIN")
        with pytest.raises(psycopg.errors.InvalidSqlStatementName):
            pg_pipeline.run(driver, [(SUM, {"a": 3, "b": 3})])
        driver.execute("ROLLBACK")
        assert pg_pipeline.run(driver, [(SUM, {"a": 3, "b": 3})]) == [[(6,)]]
        driver.execute(SUM.sql.decode().replace("SELECT", "PREPARE zk_test_fail AS SELECT"))
        # the server has a statement this module does not know of: in sync again at once
        assert pg_pipeline.run(driver, [(FAIL, {"zero": 1})]) == [[(1,)]]
