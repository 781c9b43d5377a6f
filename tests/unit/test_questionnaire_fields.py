"""WTForms classes built from the questionnaires: fields, hidden follow-ups, required-ness."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DateField, DecimalField, RadioField, StringField

from zonekeeper.questionnaires import Questionnaire, load_forms, validate_answers
from zonekeeper.questionnaires import fields as fields_module
from zonekeeper.questionnaires.fields import (
    ImplantListField,
    answers_from_form,
    build_form_class,
    build_form_classes,
    check_registry,
)

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"


@pytest.fixture(scope="module")
def patient() -> Questionnaire:
    return load_forms(FORMS_DIR).current("patient")


@pytest.fixture
def form_app() -> Iterator[Flask]:
    """A bare Flask app (no database): the form classes need only a request context."""
    form_app = Flask(__name__)
    form_app.config.update(SECRET_KEY="test", WTF_CSRF_ENABLED=False, TESTING=True)
    with form_app.test_request_context(method="POST"):
        yield form_app


def _all_clear(form: Questionnaire) -> MultiDict[str, str]:
    """Every always-shown required question answered, nothing flagged."""
    data: MultiDict[str, str] = MultiDict()
    for question in form.questions.values():
        if question.show_if is not None or not question.required:
            continue
        if question.type == "yes_no_unknown":
            data[question.id] = "no"
        elif question.type == "choice":
            data[question.id] = question.options[0].value  # type: ignore[index]
    data["history_reliable"] = "yes"
    if "weight_kg" in form.questions:
        data.update({"weight_kg": "72.5", "height_cm": "180"})
    return data


def _submit(form: Questionnaire, data: MultiDict[str, str]) -> FlaskForm:
    form_class = build_form_class(form)
    submitted = form_class(formdata=data)
    submitted.validate()
    return submitted


def test_one_field_per_question_of_the_registered_kind(
    form_app: Flask, patient: Questionnaire
) -> None:
    form = build_form_class(patient)(formdata=None)
    expected = {
        "yes_no_unknown": RadioField,
        "choice": RadioField,
        "number": DecimalField,
        "date": DateField,
        "text": StringField,
        "implant_list": ImplantListField,
    }
    for question in patient.questions.values():
        assert isinstance(form[question.id], expected[question.type]), question.id
    assert [c.value for c in form["pump"].choices] == ["yes", "no", "unknown"]
    assert form["weight_kg"].label.text.endswith("(kg)")
    assert form["pump"].flags.required  # always shown and required
    assert not form["eye_injury_treated"].flags.required  # a browser must not demand it
    assert 'data-show-if="eye_injury"' in form["eye_injury_treated"]()


def test_form_classes_are_built_once_per_version(form_app: Flask) -> None:
    registry = load_forms(FORMS_DIR)
    classes = build_form_classes(registry)
    assert set(classes) == {form.key for form in registry}
    patient = registry.current("patient")
    assert build_form_class(patient) is classes[patient.key]
    assert classes[patient.key].__name__ == f"PatientV{patient.version}Form"
    assert classes[patient.key].questionnaire.definition_hash == patient.definition_hash


def test_registry_refuses_a_type_without_a_field(monkeypatch: pytest.MonkeyPatch) -> None:
    factories = dict(fields_module.FIELD_FACTORIES)
    del factories["implant_list"]
    monkeypatch.setattr(fields_module, "FIELD_FACTORIES", factories)
    with pytest.raises(RuntimeError, match="without a form field: implant_list"):
        check_registry()
    with pytest.raises(RuntimeError):
        build_form_classes(load_forms(FORMS_DIR))


def test_complete_submission_validates_and_feeds_the_answer_check(
    form_app: Flask, patient: Questionnaire
) -> None:
    data = _all_clear(patient)
    data.update(
        {
            "egfr": "58",
            "egfr_date": "2024-05-02",
            "implants": json.dumps([{"description": "coronary stent"}]),
        }
    )
    form = _submit(patient, data)
    assert form.errors == {}
    answers = answers_from_form(form)
    assert answers["weight_kg"] == 72.5 and answers["egfr_date"] == "2024-05-02"
    assert answers["implants"] == [{"description": "coronary stent"}]
    result = validate_answers(patient, answers)
    assert result.complete, result.to_dict()
    assert result.facts["kidney.egfr"] == 58.0


def test_data_for_a_hidden_question_is_rejected(form_app: Flask, patient: Questionnaire) -> None:
    data = _all_clear(patient)
    data.update({"eye_injury": "no", "eye_injury_treated": "yes"})
    form = _submit(patient, data)
    assert list(form.errors) == ["eye_injury_treated"]
    assert "only asked when 'eye_injury' is 'yes'" in form.errors["eye_injury_treated"][0]
    assert validate_answers(patient, answers_from_form(form)).problems[0].code == "hidden"


def test_a_hidden_follow_up_of_a_follow_up_is_rejected(
    form_app: Flask, patient: Questionnaire
) -> None:
    data = _all_clear(patient)
    data.update({"eye_injury": "no", "eye_injury_imaging": "no"})
    assert list(_submit(patient, data).errors) == ["eye_injury_imaging"]


def test_required_applies_only_when_shown(form_app: Flask, patient: Questionnaire) -> None:
    hidden = _submit(patient, _all_clear(patient))  # eye_injury "no": follow-ups hidden
    assert hidden.errors == {}
    data = _all_clear(patient)
    data["eye_injury"] = "yes"
    shown = _submit(patient, data)
    assert shown.errors == {"eye_injury_treated": ["Please answer this question."]}
    data["eye_injury_treated"] = "unknown"
    assert _submit(patient, data).errors == {"eye_injury_imaging": ["Please answer this question."]}
    data["eye_injury_imaging"] = "no"
    assert _submit(patient, data).errors == {}


def test_missing_required_and_optional_answers(form_app: Flask, patient: Questionnaire) -> None:
    data = _all_clear(patient)
    del data["pump"]
    # a browser sends empty strings for untouched inputs, shown or hidden
    data.update({"egfr": "", "egfr_date": "", "implants": "", "prior_surgery_details": " "})
    form = _submit(patient, data)
    assert form.errors == {"pump": ["Please answer this question."]}
    assert "egfr" not in form.errors  # optional and empty: no "not a valid decimal"


@pytest.mark.parametrize(
    ("question_id", "value", "message"),
    [
        ("pump", "maybe", "Not a valid choice"),
        ("weight_kg", "heavy", "Not a valid decimal value"),
        ("weight_kg", "7200", "Give a value between 0.5 and 350 kg."),
        ("egfr_date", "02/05/2024", "Not a valid date value"),
        ("respondent", "someone", "Not a valid choice"),
        ("implants", "not json", "could not be read"),
        ("implants", json.dumps({"a": 1}), "must be a list of implants"),
        ("implants", json.dumps([{}] * 21), "At most 20 implants"),
    ],
)
def test_invalid_values_are_errors_at_the_field(
    form_app: Flask, patient: Questionnaire, question_id: str, value: str, message: str
) -> None:
    data = _all_clear(patient)
    data[question_id] = value
    errors: dict[str, Any] = _submit(patient, data).errors
    assert list(errors) == [question_id]
    assert message in errors[question_id][0]


def test_text_is_limited_to_its_length(form_app: Flask, patient: Questionnaire) -> None:
    data = _all_clear(patient)
    data.update({"prior_surgery": "yes", "prior_surgery_details": "x" * 1001})
    assert list(_submit(patient, data).errors) == ["prior_surgery_details"]


def test_companion_form_builds_and_validates(form_app: Flask) -> None:
    companion = load_forms(FORMS_DIR).current("non_mr_personnel")
    form = _submit(companion, _all_clear(companion))
    assert form.errors == {}
    result = validate_answers(companion, answers_from_form(form))
    assert result.complete and result.facts["history.reliable"] is True


def test_app_store_loads_once_and_serves_form_classes() -> None:
    from zonekeeper.questionnaires.store import (
        current_forms,
        current_questionnaire,
        form_class_for,
    )

    store_app = Flask(__name__)
    store_app.config.update(SECRET_KEY="test", WTF_CSRF_ENABLED=False, FORMS_DIR=str(FORMS_DIR))
    with store_app.app_context():
        registry = current_forms()
        assert current_forms() is registry
        patient = current_questionnaire("patient")
        assert current_questionnaire("patient", patient.version) is patient
        assert form_class_for("patient") is build_form_class(patient)
        with pytest.raises(KeyError):
            form_class_for("patient", 99)
