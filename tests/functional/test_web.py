"""The pages through the real forms: sign-in, sessions, access table, headers."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.conftest import AuthActions, csrf_token
from zonekeeper.auth.access import ACCESS, PUBLIC


@pytest.fixture
def mrso(setup_data) -> str:  # type: ignore[no-untyped-def]
    setup_data(lambda: factories.user("mrso1", "mrso"))
    return "mrso1"


def test_anonymous_user_is_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=/")


def test_wrong_password_shows_a_form_message(
    client: FlaskClient, auth: AuthActions, mrso: str
) -> None:
    response = auth.sign_in(mrso, "not the password")
    assert response.status_code == 400
    assert "Wrong username or password" in response.get_data(as_text=True)


def test_unknown_user_gets_the_same_message(
    client: FlaskClient, auth: AuthActions, mrso: str
) -> None:
    response = auth.sign_in("nobody", "whatever password")
    assert response.status_code == 400
    assert "Wrong username or password" in response.get_data(as_text=True)


def test_sign_in_then_dashboard_lists_zones_doors_scanners(
    client: FlaskClient, auth: AuthActions, mrso: str, runner
) -> None:  # type: ignore[no-untyped-def]
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    response = auth.sign_in(mrso, factories.PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    for text in ("Zone I", "Zone IV", "MRI 1 door", "Zone III door", "MRI 2", "3 T", "1.5 T"):
        assert text in page
    assert "Training lapsed" in page


def test_next_parameter_cannot_redirect_off_site(client: FlaskClient, mrso: str) -> None:
    page = client.get("/sign-in?next=//evil.example/")
    token = csrf_token(page.get_data(as_text=True))
    response = client.post(
        "/sign-in?next=//evil.example/",
        data={"username": mrso, "password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_post_without_csrf_token_is_refused(client: FlaskClient, mrso: str) -> None:
    response = client.post("/sign-in", data={"username": mrso, "password": factories.PASSWORD})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_cookie_captured_before_sign_out_does_not_work_after(
    app: Flask, client: FlaskClient, auth: AuthActions, mrso: str
) -> None:
    auth.sign_in(mrso, factories.PASSWORD)
    captured = client.get_cookie("session")
    assert captured is not None
    assert client.get("/").status_code == 200
    auth.sign_out()
    replay = app.test_client()
    replay.set_cookie("session", captured.value)
    response = replay.get("/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_disabled_account_loses_its_session(
    app: Flask, client: FlaskClient, auth: AuthActions, mrso: str, runner
) -> None:  # type: ignore[no-untyped-def]
    auth.sign_in(mrso, factories.PASSWORD)
    assert client.get("/").status_code == 200
    assert runner.invoke(args=["user", "disable", mrso]).exit_code == 0
    assert client.get("/").status_code == 302


def test_idle_session_expires(
    app: Flask, client: FlaskClient, auth: AuthActions, mrso: str
) -> None:
    auth.sign_in(mrso, factories.PASSWORD)
    with client.session_transaction() as session:
        session["last_seen"] = session["last_seen"] - 16 * 60
    response = client.get("/")
    assert response.status_code == 302


def test_kiosk_account_cannot_use_staff_pages(
    client: FlaskClient, auth: AuthActions, app_context: None
) -> None:
    factories.user("door1", "kiosk")
    auth.sign_in("door1", factories.PASSWORD)
    assert client.get("/").status_code == 403
    assert client.get("/access-check").status_code == 403


def test_every_route_is_in_the_access_table(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = endpoints - set(ACCESS)
    assert not missing, f"routes missing from zonekeeper/auth/access.py: {sorted(missing)}"


def test_every_protected_route_redirects_anonymous_users(app: Flask, client: FlaskClient) -> None:
    for rule in app.url_map.iter_rules():
        if ACCESS.get(rule.endpoint) == PUBLIC or rule.arguments:
            continue
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(rule.rule, method=method)
        if rule.rule.startswith("/api/"):  # the JSON API answers 401 instead of redirecting
            assert response.status_code == 401, rule.rule
            continue
        assert response.status_code in (302, 400), (rule.rule, response.status_code)
        if response.status_code == 302:
            assert "/sign-in" in response.headers["Location"]


def test_security_headers_on_every_response(client: FlaskClient) -> None:
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    cookie_test = client.get("/sign-in")
    assert cookie_test.status_code == 200


def test_unknown_page_is_a_friendly_404(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "There is no such page" in body and "Traceback" not in body


def test_api_paths_answer_json_errors(client: FlaskClient) -> None:
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_unexpected_error_shows_no_traceback(another_app) -> None:  # type: ignore[no-untyped-def]
    broken = another_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @broken.route("/explode")
    def explode() -> str:
        raise RuntimeError("secret internals")

    from zonekeeper.auth import access

    access.ACCESS["explode"] = access.PUBLIC
    try:
        response = broken.test_client().get("/explode")
    finally:
        del access.ACCESS["explode"]
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body
    assert "Nothing was changed" in body


def test_a_kiosk_account_can_sign_out(client: FlaskClient, auth: AuthActions, setup_data) -> None:  # type: ignore[no-untyped-def]
    setup_data(lambda: factories.user("door2", "kiosk"))
    auth.sign_in("door2", factories.PASSWORD)
    refused = client.get(
        "/"
    )  # the kiosk's only page so far is "not allowed", with a sign-out button
    assert refused.status_code == 403
    token = csrf_token(refused.get_data(as_text=True))
    response = client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert client.get("/").status_code == 302  # signed out, not merely refused
