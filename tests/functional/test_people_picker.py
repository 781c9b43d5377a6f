"""People pickers search as you type over a JSON endpoint: limited, role-checked, staff only.

Issue #16: the incident form's people picker was a multi-select of the whole roster
("Hold Ctrl (or Cmd)"), which does not work on a tablet and grows with the roster.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from tests import factories
from tests.conftest import AuthActions
from tests.functional.test_incidents import _report, _signed_in
from zonekeeper.extensions import db
from zonekeeper.incidents.models import Incident
from zonekeeper.people.search import PICKER_LIMIT


def _people(setup_data) -> dict[str, int]:  # type: ignore[no-untyped-def]
    def build() -> dict[str, int]:
        found = {
            "gonzalez": factories.person(given="Maria", family="Gonzalez").id,
            "gonzaga": factories.person(given="Luis", family="Gonzaga").id,
            "patient": factories.person(kind="patient", given="Gonzo", family="Patient").id,
            "visitor": factories.person(kind="visitor", given="Gonda", family="Visitor").id,
        }
        gone = factories.person(given="Old", family="Gonzales")
        gone.active = False
        for n in range(PICKER_LIMIT + 5):
            factories.person(given=f"Nurse{n:02d}", family="Many")
        db.session.flush()
        found["inactive"] = gone.id
        return found

    return setup_data(build)


def test_search_returns_a_few_active_staff_never_patients(app: Flask, setup_data) -> None:  # type: ignore[no-untyped-def]
    people = _people(setup_data)
    tech = _signed_in(app, setup_data, "tech1", "technologist")
    response = tech.get("/people/search.json?q=gonz")
    assert response.status_code == 200
    ids = {r["id"] for r in response.get_json()["results"]}
    assert ids == {people["gonzalez"], people["gonzaga"]}  # no patient, visitor or inactive
    both_words = tech.get("/people/search.json?q=maria%20gonz").get_json()["results"]
    assert [r["label"] for r in both_words] == ["Gonzalez, Maria"]
    many = tech.get("/people/search.json?q=many").get_json()
    assert len(many["results"]) == PICKER_LIMIT == many["limit"]
    assert tech.get("/people/search.json?q=").get_json()["results"] == []
    assert tech.get("/people/search.json?q=" + "x" * 5000).status_code == 200


def test_search_is_for_signed_in_staff_roles_only(app: Flask, setup_data) -> None:  # type: ignore[no-untyped-def]
    _people(setup_data)
    assert app.test_client().get("/people/search.json?q=gonz").status_code in (302, 401)
    setup_data(lambda: factories.user("kiosk1", "kiosk"))
    kiosk = app.test_client()
    AuthActions(kiosk).sign_in("kiosk1", factories.PASSWORD)
    assert kiosk.get("/people/search.json?q=gonz").status_code == 403


def test_the_incident_form_takes_chosen_staff_and_refuses_anyone_else(
    app: Flask, setup_data
) -> None:  # type: ignore[no-untyped-def]
    people = _people(setup_data)
    tech = _signed_in(app, setup_data, "tech1", "technologist")
    page = tech.get("/incidents/new").get_data(as_text=True)
    assert "Hold Ctrl" not in page and "data-people-picker" in page
    assert "Gonzalez" not in page  # the roster is not sent with the form
    chosen = [str(people["gonzalez"]), str(people["gonzaga"])]
    assert _report(tech, hours_ago=1, staff_person_ids=chosen).status_code == 302
    with app.app_context():
        incident = db.session.scalars(select(Incident)).one()
        assert sorted(incident.staff_person_ids) == sorted(int(i) for i in chosen)
    for wrong in (people["patient"], people["inactive"], 999999, "abc"):
        response = _report(tech, hours_ago=1, staff_person_ids=[str(wrong)])
        assert response.status_code == 400, wrong
    with app.app_context():
        assert db.session.query(Incident).count() == 1
