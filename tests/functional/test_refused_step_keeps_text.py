"""A refused workflow step keeps what was typed and shows the reason next to the button
pressed, on the page answered (not a redirect that loses it) (issue #15)."""

from __future__ import annotations

import html as html_module

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.conftest import AuthActions
from tests.functional.screening_helpers import complete_answers, save, start, step

NOTE = "Daughter confirmed the hip replacement was removed in 2019 <ok>"


@pytest.fixture
def site(setup_data) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return setup_data(  # type: ignore[no-any-return]
        lambda: (
            factories.screener("tech1"),
            factories.screener("tech2"),
            factories.screener("tech3"),
            factories.screening_site(),
        )[3]
    )


def _client(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert AuthActions(client).sign_in(username, factories.PASSWORD).status_code == 302
    return client


def _first_screen(app: Flask, site: dict[str, int]) -> tuple[FlaskClient, int]:
    tech1 = _client(app, "tech1")
    sid = start(tech1, site["MRI 1"])
    assert save(tech1, sid, complete_answers()).status_code == 302
    assert step(tech1, sid, "first-screen").status_code == 302
    return tech1, sid


def _kept(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 409, response.status_code
    page = response.get_data(as_text=True)
    assert html_module.escape(NOTE, quote=False) in page  # the note, as typed
    return page


def test_the_first_screener_attempting_the_review_keeps_the_note_and_sees_why(
    app: Flask, site
) -> None:  # type: ignore[no-untyped-def]
    tech1, sid = _first_screen(app, site)
    page = _kept(step(tech1, sid, "second-screen", note=NOTE, reviewed="y"))
    assert "must be done by a different person" in page
    assert 'role="alert"' in page


def test_a_review_without_the_confirmation_keeps_the_note_next_to_the_button(
    app: Flask, site
) -> None:  # type: ignore[no-untyped-def]
    _, sid = _first_screen(app, site)
    tech2 = _client(app, "tech2")
    page = _kept(step(tech2, sid, "second-screen", note=NOTE))
    button = page.index("Record the Level 2 review</button>")
    reason = page.index("Confirm that you reviewed every answer with the patient.")
    assert 0 < reason - button < 200  # right after the button pressed
    assert "autofocus" in page[button - 200 : button]  # the button is scrolled into view


def test_a_review_recorded_meanwhile_by_someone_else_keeps_the_second_note(
    app: Flask, site
) -> None:  # type: ignore[no-untyped-def]
    _, sid = _first_screen(app, site)
    tech2, tech3 = _client(app, "tech2"), _client(app, "tech3")
    stale = tech3.get(f"/screenings/{sid}").get_data(as_text=True)  # tech3 opens the page
    assert step(tech2, sid, "second-screen", note="done", reviewed="y").status_code == 302
    from tests.conftest import csrf_token

    response = tech3.post(
        f"/screenings/{sid}/second-screen",
        data={"csrf_token": csrf_token(stale), "note": NOTE, "reviewed": "y"},
    )
    page = _kept(response)
    assert "follows a recorded first screen" in page
