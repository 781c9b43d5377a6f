"""The questionnaires in forms/ load; broken files give precise errors; answers are checked."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from zonekeeper.policy.errors import PolicyError, PolicyIssue
from zonekeeper.policy.screening.facts import NOT_ANSWERED, SCREENING_FACTS
from zonekeeper.questionnaires import (
    QUESTION_TYPES,
    Questionnaire,
    definition_hash,
    load_forms,
    validate_answers,
    visible_questions,
)
from zonekeeper.questionnaires import answers as answers_module

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"


@pytest.fixture(scope="module")
def patient() -> Questionnaire:
    return load_forms(FORMS_DIR).current("patient")


@pytest.fixture(scope="module")
def companion() -> Questionnaire:
    return load_forms(FORMS_DIR).current("non_mr_personnel")


# --- the shipped forms -------------------------------------------------------------


def test_every_form_file_loads() -> None:
    registry = load_forms(FORMS_DIR)
    on_disk = {p.stem for p in FORMS_DIR.glob("*.yaml")}
    assert {form.id for form in registry if form.current} == on_disk
    assert on_disk >= {"patient", "non_mr_personnel"}
    for form in registry:
        assert form.definition_hash.startswith("sha256:") and len(form.definition_hash) == 71
        assert form.key == (form.id, form.version)
        assert registry.get(form.id, form.version) is form


def test_patient_form_sets_every_answerable_screening_fact(patient: Questionnaire) -> None:
    answerable = set(SCREENING_FACTS) - NOT_ANSWERED
    assert answerable - set(patient.facts_set()) == set()


def test_no_form_sets_a_workflow_fact() -> None:
    for form in load_forms(FORMS_DIR):
        assert not set(form.facts_set()) & NOT_ANSWERED


def test_companion_form_asks_the_same_safety_questions(
    patient: Questionnaire, companion: Questionnaire
) -> None:
    clinical_only = {
        "patient.weight_kg",
        "patient.height_cm",
        "patient.breastfeeding",
        "patient.claustrophobia",
        "contrast.prior_reaction",
    }
    expected = {
        fact
        for fact in patient.facts_set()
        if fact not in clinical_only and not fact.startswith("kidney.")
    }
    assert set(companion.facts_set()) == expected
    for question_id, question in companion.questions.items():
        if question_id in patient.questions:
            assert question.sets == patient.questions[question_id].sets
            assert question.type == patient.questions[question_id].type


def test_every_question_is_plain_and_typed(patient: Questionnaire) -> None:
    for question in patient.questions.values():
        assert question.type in QUESTION_TYPES
        assert question.text.strip() and len(question.text) < 300


def test_every_device_question_has_a_place_to_declare_the_device(patient: Questionnaire) -> None:
    assert patient.questions["implants"].type == "implant_list"


# --- broken files ------------------------------------------------------------------


@pytest.fixture
def forms_copy(tmp_path: Path) -> Path:
    target = tmp_path / "forms"
    shutil.copytree(FORMS_DIR, target)
    return target


def _edit_patient(forms: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    path = forms / "patient.yaml"
    data = yaml.safe_load(path.read_text())
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def _question(data: dict[str, Any], question_id: str) -> dict[str, Any]:
    for section in data["sections"]:
        for question in section["questions"]:
            if question["id"] == question_id:
                return question
    raise KeyError(question_id)


def _issues(forms: Path) -> list[PolicyIssue]:
    with pytest.raises(PolicyError) as caught:
        load_forms(forms)
    return list(caught.value.issues)


def test_unknown_question_type_lists_the_registered_types(forms_copy: Path) -> None:
    _edit_patient(forms_copy, lambda d: _question(d, "pump").update(type="yes_no"))
    [issue] = _issues(forms_copy)
    assert issue.file == "patient.yaml"
    assert issue.path.endswith(".type") and "questions" in issue.path
    assert "unknown question type 'yes_no'" in issue.message
    for name in QUESTION_TYPES:
        assert name in issue.message
    assert issue.suggestion == "yes_no_unknown"
    assert "did you mean 'yes_no_unknown'?" in str(issue)


BAD_EDITS: list[tuple[str, str, Callable[[dict[str, Any]], None], str, str | None]] = [
    (
        "misspelt fact",
        "pump",
        lambda q: q.update(sets=["device.pmup"]),
        "unknown screening fact 'device.pmup'",
        "device.pump",
    ),
    (
        "workflow-only fact",
        "eye_injury_imaging",
        lambda q: q.update(sets=["clearance.orbits"]),
        "never by a form answer",
        None,
    ),
    (
        "fact type does not fit",
        "weight_kg",
        lambda q: q.update(sets=["device.cardiac"]),
        "'device.cardiac' is of type answer; a number question sets facts of type number",
        None,
    ),
    (
        "text question sets a fact",
        "prior_surgery_details",
        lambda q: q.update(sets=["device.other"]),
        "a text question cannot set a screening fact",
        None,
    ),
    (
        "fact set twice",
        "pump",
        lambda q: q.update(sets=["device.cardiac"]),
        "already set by question 'cardiac_device'",
        None,
    ),
    (
        "show_if unknown question",
        "eye_injury_treated",
        lambda q: q["show_if"].update(question="eye_injry"),
        "unknown question 'eye_injry'",
        "eye_injury",
    ),
    (
        "show_if later question",
        "eye_injury",
        lambda q: q.update(show_if={"question": "eye_injury_treated", "equals": "yes"}),
        "comes later in the form",
        None,
    ),
    (
        "show_if impossible value",
        "eye_injury_treated",
        lambda q: q["show_if"].update(equals="yess"),
        "'eye_injury' can never be answered 'yess'",
        "yes",
    ),
    (
        "show_if bare yes from YAML",
        "eye_injury_treated",
        lambda q: q["show_if"].update(equals=True),
        'YAML reads a bare yes as true; write "yes" in quotes',
        None,
    ),
    (
        "show_if on a number",
        "height_cm",
        lambda q: q.update(show_if={"question": "weight_kg", "equals": "80"}),
        "'weight_kg' is a number question; show_if can follow yes_no_unknown, choice",
        None,
    ),
    (
        "show_if both equals and in",
        "eye_injury_treated",
        lambda q: q["show_if"].update({"in": ["yes"]}),
        "give exactly one of 'equals' or 'in'",
        None,
    ),
    (
        "number without unit",
        "weight_kg",
        lambda q: q.pop("unit"),
        "a number question needs 'unit'",
        None,
    ),
    (
        "unit does not match the fact",
        "weight_kg",
        lambda q: q.update(unit="lb"),
        "'lb' does not match the unit of fact 'patient.weight_kg' (kg)",
        None,
    ),
    (
        "min above max",
        "height_cm",
        lambda q: q.update(min=300),
        "must be greater than min",
        None,
    ),
    (
        "setting for another type",
        "pump",
        lambda q: q.update(unit="kg"),
        "does not apply to a yes_no_unknown question",
        None,
    ),
    (
        "misspelt key",
        "pump",
        lambda q: q.update(requird=True),
        "Extra inputs are not permitted",
        None,
    ),
    (
        "duplicate question id",
        "iud",
        lambda q: q.update(id="pump"),
        "duplicate question id 'pump'",
        None,
    ),
    (
        "reserved question id",
        "iud",
        lambda q: q.update(id="data"),
        "'data' is reserved by the web form",
        None,
    ),
    (
        "choice with a repeated option",
        "respondent",
        lambda q: q["options"].append({"value": "proxy", "label": "Again"}),
        "duplicate option value 'proxy'",
        None,
    ),
]


@pytest.mark.parametrize(
    ("question_id", "edit", "message", "suggestion"),
    [case[1:] for case in BAD_EDITS],
    ids=[case[0] for case in BAD_EDITS],
)
def test_bad_question_gives_a_clear_message(
    forms_copy: Path,
    question_id: str,
    edit: Callable[[dict[str, Any]], None],
    message: str,
    suggestion: str | None,
) -> None:
    _edit_patient(forms_copy, lambda d: edit(_question(d, question_id)))
    issues = _issues(forms_copy)
    matching = [i for i in issues if message in i.message]
    assert matching, [str(i) for i in issues]
    assert matching[0].file == "patient.yaml"
    assert matching[0].path.startswith("sections[")
    assert matching[0].suggestion == suggestion


def test_every_problem_is_reported_at_once(forms_copy: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        _question(data, "pump").update(type="yes_no")
        _question(data, "iud").update(sets=["device.iuud"])

    _edit_patient(forms_copy, edit)
    broken = forms_copy / "non_mr_personnel.yaml"
    broken.write_text(broken.read_text().replace("version: 2", "version: two"))
    issues = _issues(forms_copy)
    assert {i.file for i in issues} == {"patient.yaml", "non_mr_personnel.yaml"}
    assert len(issues) == 3


def test_not_yaml_and_not_a_mapping(forms_copy: Path) -> None:
    (forms_copy / "broken.yaml").write_text("id: [unclosed\n")
    (forms_copy / "list.yaml").write_text("- a\n- b\n")
    messages = {i.file: i.message for i in _issues(forms_copy)}
    assert "is not valid YAML" in messages["broken.yaml"]
    assert "must be a mapping" in messages["list.yaml"]


def test_file_must_be_named_after_its_form(forms_copy: Path) -> None:
    shutil.copy(forms_copy / "patient.yaml", forms_copy / "patient_copy.yaml")
    issues = _issues(forms_copy)
    assert any(
        i.file == "patient_copy.yaml" and "must be named 'patient.yaml'" in i.message
        for i in issues
    )


def _archive(forms: Path, version: int) -> Path:
    archive = forms / "archive"
    archive.mkdir(exist_ok=True)
    target = archive / f"patient.v{version}.yaml"
    data = yaml.safe_load((forms / "patient.yaml").read_text())
    data["version"] = version
    target.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return target


def _current_version(forms: Path) -> int:
    return int(yaml.safe_load((forms / "patient.yaml").read_text())["version"])


def test_archived_versions_load_beside_the_current_one(forms_copy: Path) -> None:
    current = _current_version(forms_copy)
    _archive(forms_copy, current)

    def new_version(data: dict[str, Any]) -> None:
        data["version"] = current + 1
        _question(data, "claustrophobia")["text"] = "Are you afraid of small spaces?"

    _edit_patient(forms_copy, new_version)
    registry = load_forms(forms_copy)
    assert registry.versions("patient") == list(range(1, current + 2))
    assert registry.current("patient").version == current + 1
    old = registry.get("patient", current)
    assert not old.current and old.file == f"archive/patient.v{current}.yaml"
    assert old.definition_hash != registry.current("patient").definition_hash
    with pytest.raises(KeyError):
        registry.get("patient", current + 2)


def test_duplicate_form_version_is_refused(forms_copy: Path) -> None:
    current = _current_version(forms_copy)
    _archive(forms_copy, current)
    issues = _issues(forms_copy)
    assert any(f"form 'patient' version {current} is already defined" in i.message for i in issues)


def test_the_shipped_archive_keeps_version_1_of_both_forms() -> None:
    registry = load_forms("forms")
    for form_id in ("patient", "non_mr_personnel"):
        assert registry.current(form_id).version == 2
        assert registry.get(form_id, 1).file == f"archive/{form_id}.v1.yaml"


def test_both_forms_ask_for_a_knowledgeable_proxy_when_the_history_is_unreliable() -> None:
    registry = load_forms("forms")
    for form_id in ("patient", "non_mr_personnel"):
        form = registry.current(form_id)
        base = {
            q.id: "no"
            for q in form.questions.values()
            if q.type == "yes_no_unknown" and q.show_if is None and q.required
        }
        answers = {**base, "history_reliable": "no", "proxy_available": "no"}
        facts = validate_answers(form, answers).facts
        assert facts["history.reliable"] is False
        assert facts["history.proxy_available"] is False
        # a reliable history hides the question: an answer to it is refused
        hidden = validate_answers(
            form, {**base, "history_reliable": "yes", "proxy_available": "no"}
        )
        assert any(p.code == "hidden" for p in hidden.problems)


def test_current_file_must_be_the_newest_version(forms_copy: Path) -> None:
    _archive(forms_copy, _current_version(forms_copy) + 2)
    issues = _issues(forms_copy)
    assert any(
        i.file == "patient.yaml" and "the current file must be the newest" in i.message
        for i in issues
    )


def test_archived_file_name_carries_the_version(forms_copy: Path) -> None:
    _archive(forms_copy, 1).rename(forms_copy / "archive" / "patient-old.yaml")
    _edit_patient(forms_copy, lambda d: d.update(version=2))
    issues = _issues(forms_copy)
    assert any("must be named 'patient.v1.yaml'" in i.message for i in issues)


def test_answer_registry_is_checked_at_load(monkeypatch: pytest.MonkeyPatch) -> None:
    cleaners = dict(answers_module.ANSWER_CLEANERS)
    del cleaners["date"]
    monkeypatch.setattr(answers_module, "ANSWER_CLEANERS", cleaners)
    with pytest.raises(RuntimeError, match="without an answer checker: date"):
        load_forms(FORMS_DIR)


# --- the definition hash -------------------------------------------------------------


def test_definition_hash_changes_when_a_question_changes(patient: Questionnaire) -> None:
    data = patient.definition.model_dump(by_alias=True)
    data["sections"][0]["questions"][0]["text"] = "Who is answering?"
    changed = type(patient.definition).model_validate(data)
    assert definition_hash(changed) != patient.definition_hash


def test_definition_hash_ignores_comments_and_key_order(forms_copy: Path) -> None:
    before = load_forms(forms_copy).current("patient").definition_hash
    path = forms_copy / "patient.yaml"
    data = yaml.safe_load(path.read_text())
    path.write_text("# reformatted\n" + yaml.safe_dump(data, sort_keys=True, allow_unicode=True))
    assert load_forms(forms_copy).current("patient").definition_hash == before


# --- answers --------------------------------------------------------------------------


def _complete_answers(form: Questionnaire) -> dict[str, Any]:
    """A complete, all-clear set of answers to every always-shown required question."""
    answers: dict[str, Any] = {}
    for question in form.questions.values():
        if question.show_if is not None or not question.required:
            continue
        if question.type == "yes_no_unknown":
            answers[question.id] = "no"
        elif question.type == "number":
            answers[question.id] = question.min
        elif question.type == "choice":
            answers[question.id] = question.options[0].value  # type: ignore[index]
    answers["history_reliable"] = "yes"
    return answers


def test_complete_answers_set_their_facts(patient: Questionnaire) -> None:
    answers = _complete_answers(patient) | {
        "weight_kg": 72.5,
        "egfr": {"value": 58, "unit": "mL/min/1.73 m²"},
        "egfr_date": "2024-05-02",
        "implants": [],
    }
    result = validate_answers(patient, answers, today=date(2024, 6, 1))
    assert result.complete, result.to_dict()
    assert result.facts["patient.weight_kg"] == 72.5
    assert result.facts["kidney.egfr"] == 58.0
    assert result.facts["kidney.egfr_date"] == "2024-05-02"
    assert result.facts["history.reliable"] is True
    assert result.facts["device.cardiac"] is False
    assert result.facts["history.proxy_available"] is None  # not asked: unknown, not False
    assert result.answers["implants"] == []
    assert result.red_flags == ()
    assert (result.form_id, result.form_version) == ("patient", patient.version)
    assert result.definition_hash == patient.definition_hash
    json.dumps(result.to_dict())


def test_unknown_and_unanswered_never_become_false(patient: Questionnaire) -> None:
    empty = validate_answers(patient, {})
    yes_no_facts = [
        fact
        for fact, question_id in patient.facts_set().items()
        if patient.questions[question_id].type == "yes_no_unknown"
    ]
    assert all(empty.facts[fact] is None for fact in yes_no_facts)
    assert set(empty.facts) == set(patient.facts_set())
    unknown = validate_answers(patient, {"cardiac_device": "unknown", "pump": ""})
    assert unknown.facts["device.cardiac"] is None
    assert unknown.facts["device.pump"] is None
    assert False not in unknown.facts.values()


def test_required_unanswered_questions_are_listed_as_missing(patient: Questionnaire) -> None:
    answers = _complete_answers(patient)
    del answers["aneurysm_clip"]
    answers["pregnant"] = None
    result = validate_answers(patient, answers | {"eye_injury": "yes"})
    assert result.valid and not result.complete
    assert result.missing == ("aneurysm_clip", "eye_injury_treated", "pregnant")
    assert result.problems == ()
    assert result.facts["device.aneurysm_clip"] is None


def test_data_for_a_hidden_question_is_rejected(patient: Questionnaire) -> None:
    answers = _complete_answers(patient) | {"eye_injury": "no", "eye_injury_treated": "yes"}
    result = validate_answers(patient, answers)
    assert [p.to_dict() for p in result.problems] == [
        {
            "question": "eye_injury_treated",
            "code": "hidden",
            "problem": "this question is not asked unless 'eye_injury' is 'yes'; remove the answer",
        }
    ]
    assert "eye_injury_treated" not in result.answers
    assert result.facts["foreign_body.eye_injury_treated"] is None


def test_a_follow_up_of_a_hidden_follow_up_is_hidden(patient: Questionnaire) -> None:
    answers = _complete_answers(patient) | {"eye_injury": "no", "eye_injury_imaging": "no"}
    result = validate_answers(patient, answers)
    assert [(p.question, p.code) for p in result.problems] == [("eye_injury_imaging", "hidden")]
    shown = visible_questions(patient, {"eye_injury": "yes", "eye_injury_treated": "unknown"})
    assert shown["eye_injury_imaging"] and shown["eye_injury_treated"]
    assert not visible_questions(patient, {"eye_injury_treated": "yes"})["eye_injury_imaging"]


def test_shown_follow_ups_are_accepted(patient: Questionnaire) -> None:
    answers = _complete_answers(patient) | {
        "eye_injury": "yes",
        "eye_injury_treated": "yes",
        "eye_injury_imaging": "no",
    }
    result = validate_answers(patient, answers)
    assert result.complete
    assert result.facts["foreign_body.eye_injury_treated"] is True
    assert result.facts["foreign_body.eye_injury_imaging"] is False


def test_unknown_question_ids_are_rejected(patient: Questionnaire) -> None:
    result = validate_answers(patient, _complete_answers(patient) | {"eye_injry": "no"})
    [problem] = result.problems
    assert problem.question == "eye_injry" and problem.code == "unknown_question"
    assert "did you mean 'eye_injury'?" in problem.problem


@pytest.mark.parametrize(
    ("question_id", "value", "code", "text"),
    [
        ("pump", True, "wrong_type", 'expected "yes", "no" or "unknown"'),
        ("pump", "Yes", "wrong_type", 'expected "yes", "no" or "unknown"'),
        ("weight_kg", "72", "wrong_type", "expected a number in kg"),
        ("weight_kg", True, "wrong_type", "expected a number in kg"),
        ("weight_kg", float("nan"), "wrong_type", "expected a number in kg"),
        ("weight_kg", 72000, "out_of_range", "72000 kg is outside 0.5–350 kg"),
        ("weight_kg", {"value": 160, "unit": "lb"}, "wrong_unit", "unit 'lb' is not accepted"),
        ("weight_kg", {"value": 70}, "wrong_type", "expected a number or"),
        ("egfr", -3, "out_of_range", "is outside 0–200"),
        ("egfr_date", "02/05/2024", "wrong_type", "expected a date as YYYY-MM-DD"),
        ("egfr_date", "2024-02-30", "wrong_type", "not a real date"),
        ("egfr_date", "2024-07-01", "out_of_range", "is in the future"),
        ("respondent", "patinet", "not_an_option", "did you mean 'patient'?"),
        ("prior_surgery_details", 42, "wrong_type", "expected text"),
        ("implants", {"description": "stent"}, "wrong_type", "expected a list of implant"),
        ("implants", ["stent"], "wrong_type", "expected a list of implant objects"),
        ("implants", [{"description": "x"}] * 21, "too_many", "21 implants; at most 20"),
    ],
)
def test_wrong_values_are_problems(
    patient: Questionnaire, question_id: str, value: Any, code: str, text: str
) -> None:
    answers = _complete_answers(patient) | {"prior_surgery": "yes", question_id: value}
    result = validate_answers(patient, answers, today=date(2024, 6, 1))
    [problem] = result.problems
    assert (problem.question, problem.code) == (question_id, code)
    assert text in problem.problem
    assert question_id not in result.answers


def test_text_longer_than_allowed_is_a_problem(patient: Questionnaire) -> None:
    answers = _complete_answers(patient) | {
        "prior_surgery": "yes",
        "prior_surgery_details": "x" * 1001,
    }
    [problem] = validate_answers(patient, answers).problems
    assert problem.code == "too_long"


def test_red_flags_for_the_summary(patient: Questionnaire) -> None:
    answers = _complete_answers(patient) | {
        "cardiac_device": "yes",  # red flag question answered yes
        "orthopedic": "yes",  # not a red flag question
        "pregnant": "unknown",  # unknown on a required question
        "history_reliable": "no",  # red_flag_answer: "no"
    }
    flags = validate_answers(patient, answers).red_flags
    assert [(f.question, f.answer) for f in flags] == [
        ("history_reliable", "no"),
        ("cardiac_device", "yes"),
        ("pregnant", "unknown"),
    ]
    assert flags[1].text == patient.questions["cardiac_device"].text


def test_answers_must_be_an_object(patient: Questionnaire) -> None:
    result = validate_answers(patient, ["pump"])  # type: ignore[arg-type]
    assert result.problems[0].code == "wrong_type"
