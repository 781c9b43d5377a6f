"""The course loader/validator (issue #14): schema first, then meaning."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from zonekeeper.cli import main
from zonekeeper.policy.errors import PolicyError
from zonekeeper.training.courses import load_courses

COURSES = Path(__file__).resolve().parent.parent / "data" / "courses"


@pytest.fixture
def courses(tmp_path: Path) -> Path:
    target = tmp_path / "courses"
    shutil.copytree(COURSES, target)
    return target


def _edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _problems(directory: Path) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        load_courses(directory)
    return [str(issue) for issue in caught.value.issues]


def test_the_test_courses_load() -> None:
    loaded = load_courses(COURSES)
    course = loaded["test-level-1"]
    assert course.grants_level == "level_1"
    assert [m.id for m in course.modules] == ["zones", "items"]
    assert len(course.questions) == 10
    true_false = course.question("t1-zones-02")
    assert true_false is not None and true_false.correct_ids == {"false"}


def test_single_choice_with_two_right_answers_is_refused(courses: Path) -> None:
    def two_right(data: dict) -> None:  # type: ignore[type-arg]
        data["questions"][0]["options"][0]["correct"] = True

    _edit(courses / "test-level-1" / "zones.yaml", two_right)
    assert _problems(courses) == [
        "test-level-1/zones.yaml: questions[0].options: a single-choice question needs "
        "exactly one correct option (2 marked)"
    ]


def test_multiple_answer_without_a_right_answer_is_refused(courses: Path) -> None:
    def none_right(data: dict) -> None:  # type: ignore[type-arg]
        for option in data["questions"][2]["options"]:
            option["correct"] = False

    _edit(courses / "test-level-1" / "zones.yaml", none_right)
    assert (
        "questions[2].options: a multiple-answer question needs a correct option"
        in (_problems(courses)[0])
    )


def test_missing_explanation_and_unknown_source_are_refused(courses: Path) -> None:
    def strip(data: dict) -> None:  # type: ignore[type-arg]
        del data["questions"][1]["explanation"]
        data["questions"][3]["source"] = "A blog post"

    _edit(courses / "test-level-1" / "items.yaml", strip)
    problems = _problems(courses)
    assert "test-level-1/items.yaml: questions[1].explanation: is missing" in problems[0]
    assert "test-level-1/items.yaml: questions[3].source: 'A blog post' names none" in problems[1]


def test_duplicate_question_id_across_courses_is_refused(courses: Path) -> None:
    def copy_id(data: dict) -> None:  # type: ignore[type-arg]
        data["questions"][0]["id"] = "t1-zones-01"

    _edit(courses / "test-level-2" / "zones.yaml", copy_id)
    assert _problems(courses) == [
        "test-level-2/zones.yaml: questions[0].id: duplicate question id 't1-zones-01' "
        "(also in test-level-1/zones.yaml)"
    ]


def test_unknown_key_and_module_get_did_you_mean(courses: Path) -> None:
    def typo(data: dict) -> None:  # type: ignore[type-arg]
        data["questions"][0]["explanaton"] = data["questions"][0].pop("explanation")

    _edit(courses / "test-level-1" / "zones.yaml", typo)
    _edit(courses / "test-level-1" / "course.yaml", lambda d: d.update(modules=["zone", "items"]))
    problems = _problems(courses)
    assert (
        "test-level-1/course.yaml: modules[0]: module 'zone' has no file "
        "test-level-1/zone.yaml (did you mean 'zones'?)"
    ) in problems
    assert "test-level-1/zones.yaml: is not listed in course.yaml modules" in problems


def test_unknown_key_inside_an_option_suggests_the_option_field(courses: Path) -> None:
    def typo(data: dict) -> None:  # type: ignore[type-arg]
        data["questions"][0]["options"][1]["corect"] = data["questions"][0]["options"][1].pop(
            "correct"
        )

    _edit(courses / "test-level-1" / "zones.yaml", typo)
    assert _problems(courses) == [
        "test-level-1/zones.yaml: questions[0].options[1].corect: unknown key "
        "(did you mean 'correct'?)"
    ]


def test_module_id_must_match_its_file_and_course_id_its_folder(courses: Path) -> None:
    _edit(courses / "test-level-1" / "items.yaml", lambda d: d.update(id="things"))
    _edit(courses / "test-level-1" / "course.yaml", lambda d: d.update(id="level-one"))
    problems = _problems(courses)
    assert "test-level-1/course.yaml: id: must equal the folder name 'test-level-1'" in problems
    assert "test-level-1/items.yaml: id: must equal the file name 'items'" in problems


def test_bank_sizes(courses: Path) -> None:
    _edit(courses / "test-level-1" / "items.yaml", lambda d: d["questions"].pop())
    _edit(courses / "test-level-1" / "course.yaml", lambda d: d.update(questions_per_module=6))
    problems = _problems(courses)
    assert any("items.yaml: questions: holds 4 question(s)" in p for p in problems)
    assert any(
        "zones.yaml: questions: holds 5 question(s); every module needs at least 6" in p
        for p in problems
    )
    # the annual Level 1 course needs 60 questions in all
    shutil.move(courses / "test-level-2", courses / "level-1")
    _edit(courses / "level-1" / "course.yaml", lambda d: d.update(id="level-1"))
    assert any(
        "the level-1 bank holds 10 question(s); it needs at least 60" in p
        for p in _problems(courses)
    )


def test_rules_check_validates_courses_and_stats_print_bank_sizes(courses: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["training", "stats", "--json", "--courses-dir", str(courses)])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)["courses"]
    assert stats[0]["course"] == "test-level-1"
    assert stats[0]["modules"] == [
        {"module": "zones", "questions": 5},
        {"module": "items", "questions": 5},
    ]
    text = runner.invoke(main, ["training", "stats", "--courses-dir", str(courses)])
    assert "test-level-1 v1 (level_1): 10 questions, 4 drawn per attempt" in text.output
    _edit(courses / "test-level-1" / "zones.yaml", lambda d: d["questions"][0].pop("source"))
    broken = runner.invoke(main, ["rules", "check", "--courses-dir", str(courses)])
    assert broken.exit_code == 2
    assert "zones.yaml: questions[0].source: is missing" in broken.output
    assert "the courses were not loaded" in broken.output
