"""Fixtures: the app on a real database (SQLite file or PostgreSQL schema),
migrated with the project's Alembic migrations, cleaned after each test.

ZONEKEEPER_TEST_DATABASE selects the backend: "sqlite" (default) or a
PostgreSQL URL. On PostgreSQL the suite creates its own schema and drops it at
the end. With CI=true an unreachable PostgreSQL is a failure, not a skip.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from zonekeeper import create_app
from zonekeeper.extensions import db

IN_CI = os.environ.get("CI", "").lower() == "true"


def _backend() -> str:
    return os.environ.get("ZONEKEEPER_TEST_DATABASE", "sqlite")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    backend = _backend()
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'zonekeeper-test.db'}"
        return
    schema = f"zk_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(backend, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - any connection failure
        admin.dispose()
        message = f"PostgreSQL at {backend} is not reachable: {exc}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    separator = "&" if "?" in backend else "?"
    # the application name tells this run's connections apart from any other's on the server
    yield f"{backend}{separator}options=-csearch_path%3D{schema}&application_name={schema}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def make_test_app(database_url: str, **overrides: object) -> Flask:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "AUDIT_KEY": "test-audit-key-not-for-production",
        "BADGE_KEY": "test-badge-key-not-for-production",
        "DATABASE_URL": database_url,
        "SITE_NAME": "Test site",
        # a small valid course set: the real courses/ may change without breaking tests
        "COURSES_DIR": str(Path(__file__).resolve().parent / "data" / "courses"),
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    from flask_migrate import upgrade

    application = make_test_app(database_url)
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def another_app(database_url: str) -> Iterator:  # type: ignore[type-arg]
    """Build more app instances on the test database (another worker, other settings);
    their connection pools are closed after the test."""
    built: list[Flask] = []

    def build(**overrides: object) -> Flask:
        application = make_test_app(database_url, **overrides)
        built.append(application)
        return application

    yield build
    for application in built:
        with application.app_context():
            db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "app" not in request.fixturenames:
        return
    application: Flask = request.getfixturevalue("app")
    with application.app_context():
        db.session.remove()
        from zonekeeper.audit.models import GENESIS_HASH, AuditChainHead
        from zonekeeper.doors.models import AccessLogHead

        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
            conn.execute(
                AuditChainHead.__table__.insert().values(
                    id=1, last_seq=0, last_hash=GENESIS_HASH, head_mac=""
                )
            )
            conn.execute(
                AccessLogHead.__table__.insert().values(
                    id=1, last_seq=0, last_hash=GENESIS_HASH, head_mac=""
                )
            )


@pytest.fixture
def app_context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class ZonekeeperCli:
    """Runs the real ``zonekeeper`` command group against the test app."""

    def __init__(self, app: Flask):
        self.runner = app.test_cli_runner()

    def invoke(self, args: list[str], input: str | None = None):  # type: ignore[no-untyped-def]
        from zonekeeper.cli import main

        return self.runner.invoke(main, args=args, input=input)


@pytest.fixture
def runner(app: Flask) -> ZonekeeperCli:
    return ZonekeeperCli(app)


@pytest.fixture
def setup_data(app: Flask):  # type: ignore[no-untyped-def]
    """Run a function in a short-lived app context (tests that also use the client
    must not hold an app context open across requests: ``g`` would leak)."""

    def run(function):  # type: ignore[no-untyped-def]
        with app.app_context():
            result = function()
            db.session.commit()
            db.session.remove()
            return result

    return run


CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


class AuthActions:
    """Sign in and out through the real forms (CSRF included)."""

    def __init__(self, client: FlaskClient):
        self.client = client

    def sign_in(self, username: str, password: str):  # type: ignore[no-untyped-def]
        page = self.client.get("/sign-in")
        token = csrf_token(page.get_data(as_text=True))
        return self.client.post(
            "/sign-in", data={"username": username, "password": password, "csrf_token": token}
        )

    def sign_out(self):  # type: ignore[no-untyped-def]
        page = self.client.get("/")
        token = csrf_token(page.get_data(as_text=True))
        return self.client.post("/sign-out", data={"csrf_token": token})


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
