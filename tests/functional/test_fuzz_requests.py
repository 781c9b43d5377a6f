"""Generated requests to every route, as every role with a valid CSRF token: JSON bodies to
the JSON endpoints, form data to the forms, odd query strings and path parameters. None may
be answered with a 5xx or log an unhandled error (issue #15).

The regular suite runs a few examples; ``make fuzz`` runs ZONEKEEPER_FUZZ_EXAMPLES (10,000)
on SQLite and then PostgreSQL."""

from __future__ import annotations

import logging
import os
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from tests.conftest import AuthActions, csrf_token
from zonekeeper.auth.access import ACCESS
from zonekeeper.auth.models import ROLES

EXAMPLES = int(os.environ.get("ZONEKEEPER_FUZZ_EXAMPLES", "40"))
# these end the fuzzing client's own session (which is tested elsewhere), not a server error
SKIPPED = {"auth.sign_out", "auth.password", "static"}

CHARACTERS = st.characters(blacklist_categories=("Cs",))  # a client cannot send surrogates
TEXT = st.one_of(
    st.text(CHARACTERS, max_size=40),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "1" + "0" * 309,
            "NaN",
            "sNaN",
            "inf",
            "-inf",
            "1e309",
            "2026-13-45",
            "2026-01-01",
            "\x00",
            "y",
            "yes",
            "III",
            "IV",
            "[]",
            "{}",
            '[{"category": "x"}]',
            "9223372036854775808",
        ]
    ),
)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**320), max_value=10**320)
    | st.floats()
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=12,
)


def _field_names() -> list[str]:
    names: set[str] = set()
    pending = list(FlaskForm.__subclasses__())
    while pending:
        form_class = pending.pop()
        pending.extend(form_class.__subclasses__())
        names.update(n for n in dir(form_class) if not n.startswith("_") and n.islower())
    return sorted(names - {"csrf_token", "meta", "data", "errors", "populate_obj", "process"})


def _routes(app: Flask) -> list[tuple[str, str, Any]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED or ACCESS.get(rule.endpoint) is None:
            continue
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            found.append((rule.endpoint, method, rule))
    return sorted(found, key=lambda r: (r[0], r[1]))


def _is_int(rule: Any, name: str) -> bool:
    converter = type(rule._converters[name]).__name__
    return "Integer" in converter or "Id" in converter


def _path(rule: Any, ids: int, path_text: str) -> str:
    path = rule.rule
    for name in rule.arguments:
        text = str(ids) if _is_int(rule, name) else path_text or "x"
        for marker in (f"<int:{name}>", f"<{name}>", f"<path:{name}>", f"<string:{name}>"):
            path = path.replace(marker, text.replace("/", "%2F").replace("?", "%3F"))
    return path


@pytest.fixture
def clients(app: Flask, setup_data) -> dict[str, tuple[FlaskClient, str]]:  # type: ignore[no-untyped-def]
    def build() -> None:
        factories.screening_site()
        for role in ROLES:
            factories.screener(f"fuzz_{role}", role)

    setup_data(build)
    signed_in: dict[str, tuple[FlaskClient, str]] = {"anonymous": (app.test_client(), "")}
    for role in ROLES:
        client = app.test_client()
        assert AuthActions(client).sign_in(f"fuzz_{role}", factories.PASSWORD).status_code == 302
        page = client.get("/sign-in")  # any page with a form: the session's CSRF token
        page = client.get(page.headers.get("Location", "/")) if page.status_code == 302 else page
        signed_in[role] = (client, csrf_token(page.get_data(as_text=True)))
    return signed_in


def test_no_generated_request_is_a_server_error(
    app: Flask, clients, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    routes = _routes(app)
    fields = _field_names()
    assert len(routes) > 50 and len(fields) > 30

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=EXAMPLES <= 100,  # the regular suite: the same examples every run
        suppress_health_check=list(HealthCheck),
    )
    @given(
        route=st.sampled_from(routes),
        who=st.sampled_from(sorted(clients)),
        ids=st.integers(min_value=-(2**70), max_value=2**70) | st.integers(0, 5),
        path_text=TEXT,
        query=st.dictionaries(st.sampled_from(fields) | st.text(CHARACTERS, max_size=8), TEXT),
        form=st.dictionaries(st.sampled_from(fields), TEXT, max_size=8),
        body=JSON,
    )
    def send(route, who, ids, path_text, query, form, body) -> None:  # type: ignore[no-untyped-def]
        endpoint, method, rule = route
        client, token = clients[who]
        path = _path(rule, ids, path_text)
        caplog.clear()
        if method == "GET":
            response = client.get(path, query_string=query)
        elif path.startswith("/api/"):
            response = client.post(path, json=body, headers={"X-CSRFToken": token})
        else:
            response = client.post(path, data={**form, "csrf_token": token}, query_string=query)
        unhandled = [
            r
            for r in caplog.records
            if r.levelno >= logging.ERROR and r.name == "zonekeeper.errors"
        ]
        assert response.status_code < 500 and not unhandled, (
            f"{method} {path} as {who}: {response.status_code} {query!r} {form!r} {body!r}"
        )

    send()
