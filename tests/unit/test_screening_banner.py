"""The outcome banner groups the open questions into one line and shows each action once."""

from __future__ import annotations

from zonekeeper.screening.banner import outcome_banner


def _unanswered(name: str) -> dict[str, str]:
    return {
        "code": "unanswered",
        "text": f"Unanswered: '{name}'. Every screening question needs a yes or no.",
        "rule": f"required.{name}",
        "disposition": "more_info_required",
    }


ANSWER = {"code": "answer_open_questions", "text": "Answer the open screening questions."}


def test_thirty_six_open_questions_are_one_line_linked_to_the_first() -> None:
    decision = {
        "reasons": [_unanswered(f"q{i}") for i in range(36)]
        + [
            {"code": "pacemaker", "text": "Pacemaker: not cleared.", "disposition": "not_cleared"},
            {"code": "pacemaker", "text": "Pacemaker: not cleared.", "disposition": "not_cleared"},
        ],
        "actions": [ANSWER] * 11 + [{"code": "call_cardiology", "text": "Call cardiology."}],
    }
    banner = outcome_banner(decision, ["pacemaker_question", "stent"])
    assert [line.text for line in banner.reasons] == [
        "36 questions not answered yet: every screening question needs a yes or no.",
        "Pacemaker: not cleared.",
    ]
    assert banner.reasons[0].link == "#q-pacemaker_question" and banner.reasons[0].count == 36
    assert [a["code"] for a in banner.actions] == ["answer_open_questions", "call_cardiology"]


def test_one_open_question_reads_as_one_and_no_decision_is_empty() -> None:
    banner = outcome_banner({"reasons": [_unanswered("x")], "actions": []})
    assert banner.reasons[0].text.startswith("1 question not answered yet")
    assert banner.reasons[0].link == "#questionnaire"
    assert outcome_banner(None).reasons == () and outcome_banner({}).actions == ()


def test_rules_waiting_on_answers_are_one_folded_line() -> None:
    waiting = [
        {
            "code": "unknown_answer",
            "text": f"Not known: 'q{i}'. Needed because ...",
            "disposition": "more_info_required",
        }  # fmt: skip
        for i in range(12)
    ]
    banner = outcome_banner({"reasons": waiting + waiting[:1], "actions": []})
    (line,) = banner.reasons
    assert line.text == "12 safety rules cannot be decided until they are answered."
    assert len(line.details) == 12 and line.details[0].startswith("Not known: 'q0'")
