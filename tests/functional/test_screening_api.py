"""POST /api/v1/screenings/evaluate and `zonekeeper screen evaluate`: decisions, 422s, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.conftest import AuthActions
from tests.functional.screening_helpers import STENT_15_ONLY, complete_answers

URL = "/api/v1/screenings/evaluate"


def _case(**changes: object) -> dict[str, object]:
    answers: dict[str, object] = dict(complete_answers(stent_coil_filter="yes"))
    answers.update(weight_kg=70, height_cm=175)
    case: dict[str, object] = {
        "form": "patient",
        "answers": answers,
        "implants": [STENT_15_ONLY],
        "exam": {
            "scanner": "MRI 2",
            "body_region": "head",
            "transmit_coil": "body",
            "setting": "outpatient",
        },
    }
    case.update(changes)
    return case


@pytest.fixture
def tech(client: FlaskClient, auth: AuthActions, setup_data) -> FlaskClient:  # type: ignore[no-untyped-def]
    setup_data(lambda: (factories.screening_site(), factories.screener("tech1")))
    auth.sign_in("tech1", factories.PASSWORD)
    return client


def test_evaluate_returns_the_decision_for_every_scanner(tech: FlaskClient) -> None:
    response = tech.post(URL, json=_case())
    assert response.status_code == 200
    body = response.get_json()
    assert body["disposition"] == "not_cleared" and body["scanner"] == "MRI 2"
    eligible = {s["scanner"]: s for s in body["eligible_scanners"]}
    assert eligible["MRI 1"]["eligible"] and eligible["MRI 1"]["disposition"] == "conditional"
    assert not eligible["MRI 2"]["eligible"]
    assert body["policy_version"].startswith("sha256:")
    assert body["questionnaire"]["id"] == "patient" and body["questionnaire"]["missing"] == []


def test_an_unknown_answer_is_not_cleared(tech: FlaskClient) -> None:
    case = _case(implants=[])
    case["answers"]["stent_coil_filter"] = "no"  # type: ignore[index]
    case["answers"]["aneurysm_clip"] = "unknown"  # type: ignore[index]
    case["exam"]["scanner"] = "MRI 1"  # type: ignore[index]
    body = tech.post(URL, json=case).get_json()
    assert body["disposition"] in ("more_info_required", "not_cleared")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"answers": {"pacemakr": "no"}}, "answers.pacemakr"),
        ({"answers": {"cardiac_device": True}}, "answers.cardiac_device"),
        ({"answers": {"weight_kg": {"value": 150, "unit": "lb"}}}, "answers.weight_kg"),
        (
            {"answers": {"eye_injury": "no", "eye_injury_treated": "yes"}},
            "answers.eye_injury_treated",
        ),
        (
            {"implants": [{**STENT_15_ONLY, "max_spatial_gradient": {"value": 7, "unit": "T/s"}}]},
            "implants[0].max_spatial_gradient",
        ),
        (
            {"implants": [{**STENT_15_ONLY, "max_whole_body_sar": -1}]},
            "implants[0].max_whole_body_sar",
        ),
        (
            {"implants": [{**STENT_15_ONLY, "field_strengths": [30]}]},
            "implants[0].field_strengths[0]",
        ),
        (
            {
                "exam": {
                    "scanner": "MRI 9",
                    "body_region": "head",
                    "transmit_coil": "body",
                    "setting": "outpatient",
                }
            },
            "exam.scanner",
        ),
        ({"surprise": 1}, "surprise"),
        ({"answers": []}, "answers"),
    ],
)
def test_bad_cases_are_422_with_problems(tech: FlaskClient, change: dict, field: str) -> None:  # type: ignore[type-arg]
    case = _case()
    for key, value in change.items():
        if key == "answers" and isinstance(value, dict):
            case["answers"] = {**case["answers"], **value}  # type: ignore[dict-item]
        else:
            case[key] = value
    response = tech.post(URL, json=case)
    assert response.status_code == 422, response.get_json()
    problems = response.get_json()["problems"]
    assert any(p["field"] == field for p in problems), problems


def test_not_json_too_large_and_signed_out(tech: FlaskClient, app: Flask) -> None:
    assert tech.post(URL, data="not json", content_type="application/json").status_code == 400
    assert tech.post(URL, data="{}", content_type="text/plain").status_code == 415
    big = {"answers": {"prior_surgery_details": "x" * 70_000}}
    assert tech.post(URL, json=big).status_code == 413
    assert tech.post(URL, json=[1, 2]).status_code == 422
    anonymous = app.test_client().post(URL, json=_case())
    assert anonymous.status_code == 401  # the JSON API answers 401, it does not redirect


def test_openapi_documents_the_endpoint(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/screenings/evaluate"]["post"]
    assert set(operation["responses"]) >= {"200", "413", "422"}
    assert "ScreeningDecision" in document["components"]["schemas"]


def test_cli_prints_the_same_json_and_exits_2_on_bad_input(
    runner, setup_data, tmp_path: Path, tech: FlaskClient
) -> None:  # type: ignore[no-untyped-def]
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(_case()))
    result = runner.invoke(["screen", "evaluate", str(case_file)])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    api = tech.post(URL, json=_case()).get_json()
    assert printed == api
    moved = runner.invoke(["screen", "evaluate", str(case_file), "--scanner", "MRI 1"])
    assert json.loads(moved.output)["disposition"] == "conditional"
    case_file.write_text(json.dumps(_case(answers={"pacemakr": "no"})))
    bad = runner.invoke(["screen", "evaluate", str(case_file)])
    assert bad.exit_code == 2 and "answers.pacemakr" in bad.output
    case_file.write_text("{not json")
    assert runner.invoke(["screen", "evaluate", str(case_file)]).exit_code == 2
    missing_scanner = runner.invoke(
        ["screen", "evaluate", str(tmp_path / "case.json"), "--scanner", "MRI 7"]
    )
    assert missing_scanner.exit_code == 2


def test_the_example_case_is_not_cleared_on_the_3t_and_eligible_on_the_15t(
    runner, tech: FlaskClient
) -> None:  # type: ignore[no-untyped-def]
    example = Path(__file__).resolve().parents[2] / "examples" / "screening_stent_3t.json"
    result = runner.invoke(["screen", "evaluate", str(example)])
    assert result.exit_code == 0, result.output
    decision = json.loads(result.output)
    assert decision["disposition"] == "not_cleared" and decision["scanner"] == "MRI 2"
    eligible = {s["scanner"]: s for s in decision["eligible_scanners"]}
    assert eligible["MRI 1"]["disposition"] == "conditional"
    assert "B1+rms ≤ 2 µT" in [c["text"] for c in eligible["MRI 1"]["constraints"]]
