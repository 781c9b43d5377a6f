"""A form sent after the session ended (the idle timeout, or a sign-out elsewhere) is never
answered with 405 after signing in: the user is told the session ended, signs in, and
comes back to the page the form was on (issue #15)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.conftest import AuthActions, csrf_token
from tests.functional.screening_helpers import complete_answers, start
from zonekeeper.auth import sessions
from zonekeeper.db import utcnow

MESSAGE = "Your session ended; sign in to continue."


@pytest.fixture
def site(client: FlaskClient, auth: AuthActions, setup_data) -> dict[str, int]:  # type: ignore[no-untyped-def]
    ids = setup_data(lambda: (factories.screener("tech1"), factories.screening_site())[1])
    assert auth.sign_in("tech1", factories.PASSWORD).status_code == 302
    return ids  # type: ignore[no-any-return]


def _filled_form(client: FlaskClient, sid: int) -> tuple[str, dict[str, str]]:
    """The screening page opened and its answers typed (not yet sent)."""
    page_url = f"/screenings/{sid}"
    token = csrf_token(client.get(page_url).get_data(as_text=True))
    return page_url, {"csrf_token": token, **complete_answers()}


def _send(client: FlaskClient, sid: int, data: dict[str, str], referrer: str):  # type: ignore[no-untyped-def]
    return client.post(f"/screenings/{sid}/answers", data=data, headers={"Referer": referrer})


def _expect_return_to_page(client: FlaskClient, sid: int, response) -> None:  # type: ignore[no-untyped-def]
    page_url = f"/screenings/{sid}"
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/sign-in"), location
    sign_in_page = client.get(location)
    assert MESSAGE in sign_in_page.get_data(as_text=True)
    signed_in = client.post(
        location,
        data={
            "csrf_token": csrf_token(sign_in_page.get_data(as_text=True)),
            "username": "tech1",
            "password": factories.PASSWORD,
        },
    )
    assert signed_in.status_code == 302
    assert signed_in.headers["Location"] == page_url  # the page, not the POST's URL
    assert client.get(signed_in.headers["Location"]).status_code == 200  # not 405


@pytest.mark.parametrize("referrer", ["the page", "another site"])
def test_answers_sent_after_the_idle_timeout_lead_back_to_the_page(
    app: Flask, client: FlaskClient, site, monkeypatch: pytest.MonkeyPatch, referrer: str
) -> None:  # type: ignore[no-untyped-def]
    sid = start(client, site["MRI 1"])
    page_url, data = _filled_form(client, sid)
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    monkeypatch.setattr(sessions, "utcnow", lambda: utcnow() + idle)  # the technologist left
    if referrer == "another site":  # nowhere to return to: plain sign-in
        response = _send(client, sid, data, "http://evil.example/x")
        assert response.headers["Location"] == "/sign-in"
        return
    response = _send(client, sid, data, f"http://localhost{page_url}")
    _expect_return_to_page(client, sid, response)


def test_answers_sent_after_a_sign_out_elsewhere_lead_back_to_the_page(
    app: Flask, client: FlaskClient, site
) -> None:  # type: ignore[no-untyped-def]
    sid = start(client, site["MRI 1"])
    page_url, data = _filled_form(client, sid)
    elsewhere = app.test_client()
    AuthActions(elsewhere).sign_in("tech1", factories.PASSWORD)
    assert AuthActions(elsewhere).sign_out().status_code == 302  # ends every session
    response = _send(client, sid, data, f"http://localhost{page_url}")
    _expect_return_to_page(client, sid, response)
