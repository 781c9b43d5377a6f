"""Fixtures shared by the functional tests of one feature or more."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.conftest import AuthActions


@pytest.fixture
def tech(app: Flask, setup_data) -> tuple[FlaskClient, dict[str, int]]:  # type: ignore[no-untyped-def]
    """A current Level 2 technologist signed in on a site with a 1.5 T and a 3 T scanner;
    returns the client and the scanners' ids by name."""

    def data() -> dict[str, int]:
        ids = factories.screening_site()
        factories.screener("tech1")
        return ids

    ids = setup_data(data)
    client = app.test_client()
    assert AuthActions(client).sign_in("tech1", factories.PASSWORD).status_code == 302
    return client, ids
