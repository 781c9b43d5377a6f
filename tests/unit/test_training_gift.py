"""Moodle GIFT import and export (issue #14): a real-style sample, line-numbered errors,
all-or-nothing import, and a round trip through the course loader."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from zonekeeper.cli import main
from zonekeeper.training.courses import load_courses
from zonekeeper.training.gift import GiftError, export_gift, parse_gift

DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLE = (DATA / "gift" / "moodle_sample.gift").read_text(encoding="utf-8")


@pytest.fixture
def courses(tmp_path: Path) -> Path:
    shutil.copytree(DATA / "courses", tmp_path / "courses")
    return tmp_path / "courses"


def test_a_moodle_sample_parses() -> None:
    questions = {q["id"]: q for q in parse_gift(SAMPLE)}
    assert list(questions) == ["g-zone-ii", "g-non-ferrous", "g-labels", "g-sar", "g-magnet-on"]
    zone = questions["g-zone-ii"]
    assert zone["type"] == "single" and zone["source"] == "ACR Manual on MR Safety (2024)"
    assert [o.get("correct", False) for o in zone["options"]] == [True, False, False]
    assert zone["explanation"] == "Patients are greeted and screened in Zone II."
    assert questions["g-non-ferrous"]["answer"] is False
    assert questions["g-non-ferrous"]["text"] == "Any non-ferrous metal is MR Safe."
    labels = questions["g-labels"]
    assert labels["type"] == "multiple"
    assert [o["text"] for o in labels["options"] if o.get("correct")] == [
        "MR Safe",
        "MR Conditional",
        "MR Unsafe",
    ]
    assert questions["g-sar"]["text"].endswith("Normal Operating Mode = ?")  # \= unescaped
    assert questions["g-magnet-on"]["answer"] is True


def test_errors_name_their_lines() -> None:
    bad = (
        "// source: ACR\n"
        "::ok::Fine {=a ~b ####why}\n"
        "\n"
        "// source: ACR\n"
        "::two-right::Pick {=a =b ####why}\n"
        "\n"
        "// source: ACR\n"
        "::numeric::How many? {#3}\n"
        "\n"
        "::no-source::Text {T####why}\n"
        "\n"
        "// source: ACR\n"
        "::unclosed::Text {=a ~b\n"
    )
    with pytest.raises(GiftError) as caught:
        parse_gift(bad)
    assert [str(p) for p in caught.value.problems] == [
        "line 5: question 'two-right': one '=' answer for multiple choice; "
        "use ~%50% weights for multiple answers",
        "line 8: question 'numeric': numeric and matching questions are not supported",
        "line 10: question 'no-source' needs a '// source: ...' line before it "
        "(or a default source)",
        "line 13: the answer block '{' is never closed",
    ]


def test_round_trip_through_the_loader(courses: Path) -> None:
    course = load_courses(courses)["test-level-1"]
    for module in course.modules:
        text = export_gift(list(module.questions), module.title)
        again = parse_gift(text)
        assert [q["id"] for q in again] == [q.id for q in module.questions]
        for parsed, original in zip(again, module.questions, strict=True):
            assert parsed["text"] == original.text
            assert parsed["explanation"] == original.explanation
            assert parsed["source"] == original.source
            if original.type == "true_false":
                assert parsed["answer"] == (original.correct_ids == {"true"})
            else:
                assert parsed["type"] == original.type
                assert [(o["text"], o.get("correct", False)) for o in parsed["options"]] == [
                    (o.text, o.correct) for o in original.options
                ]


def _import(runner: CliRunner, gift: Path, courses: Path):  # type: ignore[no-untyped-def]
    arguments = ["training", "import-gift", str(gift), "--course", "test-level-1"]
    return runner.invoke(main, [*arguments, "--module", "items", "--courses-dir", str(courses)])


def test_cli_imports_all_or_nothing(courses: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    module = courses / "test-level-1" / "items.yaml"
    before = module.read_text(encoding="utf-8")
    good = tmp_path / "good.gift"
    good.write_text(SAMPLE, encoding="utf-8")
    done = _import(runner, good, courses)
    assert done.exit_code == 0, done.output
    assert "Imported 5 question(s) into test-level-1/items.yaml." in done.output
    assert module.read_text(encoding="utf-8").startswith(before)  # appended; layout kept
    loaded = load_courses(courses)["test-level-1"]
    assert len(loaded.modules[1].questions) == 10
    # the same file again: duplicate ids across the course -> nothing imported
    after_first = module.read_text(encoding="utf-8")
    again = _import(runner, good, courses)
    assert again.exit_code == 2
    assert "duplicate question id 'g-zone-ii'" in again.output
    assert "nothing was imported" in again.output
    assert module.read_text(encoding="utf-8") == after_first
    broken = tmp_path / "broken.gift"
    broken.write_text(
        "// source: ACR\n::x::Text {=a ~b ####ok}\n\n::y::No source {T####e}\n", encoding="utf-8"
    )
    refused = _import(runner, broken, courses)
    assert refused.exit_code == 2 and "broken.gift: line 4:" in refused.output
    assert module.read_text(encoding="utf-8") == after_first
    exported = runner.invoke(
        main,
        [
            "training",
            "export-gift",
            "test-level-1",
            "--module",
            "zones",
            "--courses-dir",
            str(courses),
        ],
    )
    assert exported.exit_code == 0 and "::t1-zones-01:: Where are patients" in exported.output
    unknown = runner.invoke(
        main, ["training", "export-gift", "test-levl-1", "--courses-dir", str(courses)]
    )
    assert unknown.exit_code == 2 and "did you mean 'test-level-1'" in unknown.output
