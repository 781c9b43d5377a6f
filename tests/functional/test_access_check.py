"""The access-check page asks the engine with facts built from the database."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests import factories
from tests.conftest import AuthActions, csrf_token


def _check(client: FlaskClient, **fields):  # type: ignore[no-untyped-def]
    token = csrf_token(client.get("/access-check").get_data(as_text=True))
    data = {"csrf_token": token, "escort_id": "0", **{k: str(v) for k, v in fields.items()}}
    return client.post("/access-check", data=data)


def test_non_mr_nurse_with_level_1_escort_is_denied_zone_iv(
    client: FlaskClient, auth: AuthActions, setup_data
) -> None:  # type: ignore[no-untyped-def]
    def data() -> tuple[int, int]:
        nurse = factories.person(given="Rachel", family="Green")
        escort = factories.person(
            given="Ben", family="Harris", level="level_1", trained_days_ago=40
        )
        factories.user("tech", "technologist")
        return nurse.id, escort.id

    nurse_id, escort_id = setup_data(data)
    auth.sign_in("tech", factories.PASSWORD)
    response = _check(
        client, person_id=nurse_id, target_zone="IV", escort_id=escort_id, level_2_authorized="y"
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "DENIED" in body
    assert "deny-level-1-escort-zone-iv" in body
    assert "level_1_cannot_escort_zone_iv" in body


def test_lapsed_training_makes_a_technologist_non_mr(
    client: FlaskClient, auth: AuthActions, setup_data
) -> None:  # type: ignore[no-untyped-def]
    def data() -> tuple[int, int]:
        lapsed = factories.person(family="Walsh", level="level_2", trained_days_ago=366)
        current = factories.person(family="Gonzalez", level="level_2", trained_days_ago=365)
        factories.user("tech", "technologist")
        return lapsed.id, current.id

    lapsed_id, current_id = setup_data(data)
    auth.sign_in("tech", factories.PASSWORD)
    granted = _check(client, person_id=current_id, target_zone="IV").get_data(as_text=True)
    assert "GRANTED" in granted
    body = _check(client, person_id=lapsed_id, target_zone="IV").get_data(as_text=True)
    assert "DENIED" in body and "escort_required" in body


def test_unknown_person_is_a_form_error_not_a_crash(
    client: FlaskClient, auth: AuthActions, setup_data
) -> None:  # type: ignore[no-untyped-def]
    setup_data(lambda: factories.user("tech", "technologist"))
    auth.sign_in("tech", factories.PASSWORD)
    response = _check(client, person_id=999999, target_zone="IV")
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_garbage_form_values_are_a_400(client: FlaskClient, auth: AuthActions, setup_data) -> None:  # type: ignore[no-untyped-def]
    setup_data(lambda: factories.user("tech", "technologist"))
    auth.sign_in("tech", factories.PASSWORD)
    response = _check(client, person_id="abc", target_zone="ZONE-X", escort_id="x")
    assert response.status_code == 400
