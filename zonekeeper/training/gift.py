"""Moodle GIFT import and export for a module's question bank (pure Python).

Supported: multiple choice (``=right ~wrong``), multiple answers (``~%50%a ~%-100%b``),
true/false (``{T}``, ``{FALSE}``), per-answer feedback (``#...``, ignored on import) and
general feedback (``####...``, the question's explanation). The question's title
(``::id::``) is its id. ZoneKeeper's required source travels in a comment line
``// source: ...`` before the question. Anything else (numeric, matching, short
answer, missing word) is refused with its line number. Nothing is returned unless
the whole file parses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .course_schema import OPTION_IDS
from .courses import Question

SPECIAL = "~=#{}:"


@dataclass(frozen=True)
class GiftProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class GiftError(ValueError):
    def __init__(self, problems: list[GiftProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def escape(text: str) -> str:
    return "".join(f"\\{ch}" if ch in SPECIAL else ch for ch in text).replace("\n", " ")


def _unescape(text: str) -> str:
    return re.sub(r"\\([~=#{}:n])", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def _split_unescaped(text: str, marks: str) -> list[tuple[str, str]]:
    """(mark, text) pieces, split before every unescaped character in ``marks``."""
    pieces: list[tuple[str, str]] = []
    mark, current, i = "", "", 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            current += text[i : i + 2]
            i += 2
            continue
        if ch in marks:
            pieces.append((mark, current))
            mark, current = ch, ""
        else:
            current += ch
        i += 1
    pieces.append((mark, current))
    return pieces


def _unescaped_index(text: str, target: str, start: int = 0) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(target, i):
            return i
        i += 1
    return -1


def parse_gift(text: str, default_source: str = "") -> list[dict[str, Any]]:
    """Questions as module-file mappings (id, type, text, options/answer, explanation,
    source), or GiftError naming each bad line."""
    problems: list[GiftProblem] = []
    questions: list[dict[str, Any]] = []
    for start, block, source in _blocks(text.replace("\r\n", "\n"), problems):
        parsed = _parse_block(block, start, source or default_source, problems)
        if parsed is not None:
            questions.append(parsed)
    ids = [q["id"] for q in questions]
    for qid in {i for i in ids if ids.count(i) > 1}:
        problems.append(GiftProblem(0, f"question id '{qid}' is used twice"))
    if problems:
        raise GiftError(sorted(problems, key=lambda p: p.line))
    return questions


def _blocks(text: str, problems: list[GiftProblem]) -> list[tuple[int, str, str]]:
    """(first line number, text, source comment) per question; blank lines separate them."""
    blocks: list[tuple[int, str, str]] = []
    lines: list[str] = []
    start, source, pending_source, depth = 0, "", "", 0
    for number, line in enumerate(text.split("\n") + [""], start=1):
        stripped = line.strip()
        if depth == 0 and stripped.startswith("//"):
            found = re.match(r"//\s*source:\s*(.+)", stripped, re.IGNORECASE)
            if found:
                pending_source = found.group(1).strip()
            continue
        if depth == 0 and stripped.startswith("$CATEGORY:"):
            continue
        if depth == 0 and not stripped:
            if lines:
                blocks.append((start, "\n".join(lines), source))
                lines = []
            continue
        if not lines:
            start, source, pending_source = number, pending_source, ""
        lines.append(line)
        depth += line.count("{") - line.count("\\{") - line.count("}") + line.count("\\}")
        if depth < 0:
            problems.append(GiftProblem(number, "a '}' without its '{'"))
            depth = 0
    if depth > 0:
        problems.append(GiftProblem(start, "the answer block '{' is never closed"))
    return blocks


def _parse_block(
    block: str, line: int, source: str, problems: list[GiftProblem]
) -> dict[str, Any] | None:
    qid = ""
    body = block.strip()
    if body.startswith("::"):
        end = _unescaped_index(body, "::", 2)
        if end < 0:
            problems.append(GiftProblem(line, "the title '::' is not closed"))
            return None
        qid, body = _unescape(body[2:end]).strip(), body[end + 2 :].strip()
    if not qid:
        problems.append(GiftProblem(line, "give the question a title '::id::' (its id)"))
        return None
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", qid):
        problems.append(GiftProblem(line, f"title '{qid}': use letters, digits, '.', '_', '-'"))
        return None
    body = re.sub(r"^\[(html|moodle|markdown|plain)\]", "", body)
    open_at = _unescaped_index(body, "{")
    close_at = _unescaped_index(body, "}", open_at + 1) if open_at >= 0 else -1
    if open_at < 0 or close_at < 0:
        problems.append(GiftProblem(line, f"question '{qid}' has no answer block {{...}}"))
        return None
    if body[close_at + 1 :].strip():
        problems.append(
            GiftProblem(
                line,
                f"question '{qid}': missing-word questions "
                "(text after the answers) are not supported",
            )
        )
        return None
    question_text = _unescape(body[:open_at]).strip()
    answers = body[open_at + 1 : close_at].strip()
    general = ""
    general_at = _unescaped_index(answers, "####")
    if general_at >= 0:
        general, answers = (
            _unescape(answers[general_at + 4 :]).strip(),
            answers[:general_at].strip(),
        )
    base: dict[str, Any] = {"id": qid, "text": question_text, "source": source}
    if not source:
        problems.append(
            GiftProblem(
                line,
                f"question '{qid}' needs a '// source: ...' line before it (or a default source)",
            )
        )
        return None
    truth = re.fullmatch(r"(T|F|TRUE|FALSE)(#.*)?", answers, re.DOTALL)
    if truth:
        feedback = [_unescape(p).strip() for _, p in _split_unescaped(truth.group(2) or "", "#")]
        explanation = general or next((f for f in reversed(feedback) if f), "")
        return _with_explanation(
            {**base, "type": "true_false", "answer": truth.group(1).startswith("T")},
            explanation,
            line,
            problems,
        )
    return _parse_choice(base, answers, general, line, problems)


def _with_explanation(
    question: dict[str, Any], explanation: str, line: int, problems: list[GiftProblem]
) -> dict[str, Any] | None:
    if not explanation:
        problems.append(
            GiftProblem(
                line,
                f"question '{question['id']}' needs general feedback "
                "'####...' (shown as its explanation)",
            )
        )
        return None
    return {**question, "explanation": explanation}


def _parse_choice(
    base: dict[str, Any], answers: str, general: str, line: int, problems: list[GiftProblem]
) -> dict[str, Any] | None:
    qid = base["id"]
    if answers.startswith("#") or "->" in answers:
        problems.append(
            GiftProblem(line, f"question '{qid}': numeric and matching questions are not supported")
        )
        return None
    pieces = [(m, t) for m, t in _split_unescaped(answers, "=~") if m or t.strip()]
    if not pieces or pieces[0][0] == "":
        problems.append(GiftProblem(line, f"question '{qid}': answers start with '=' or '~'"))
        return None
    options, weighted, feedback_right = [], False, ""
    for mark, raw in pieces:
        text, _, feedback = _split_first_hash(raw)
        weight = re.match(r"%(-?\d+(?:\.\d+)?)%", text.strip())
        if weight:
            weighted = True
            text = text.strip()[weight.end() :]
            correct = float(weight.group(1)) > 0
        else:
            correct = mark == "="
        if correct and feedback:
            feedback_right = feedback_right or feedback
        options.append({"text": _unescape(text).strip(), "correct": correct})
    if len(options) > len(OPTION_IDS) or len(options) < 2:
        problems.append(
            GiftProblem(
                line,
                f"question '{qid}' has {len(options)} answers "
                f"(2 to {len(OPTION_IDS)}; short answer is not supported)",
            )
        )
        return None
    right = sum(1 for o in options if o["correct"])
    if not weighted and right != 1:
        problems.append(
            GiftProblem(
                line,
                f"question '{qid}': one '=' answer for multiple "
                "choice; use ~%50% weights for multiple answers",
            )
        )
        return None
    kind = "multiple" if weighted else "single"
    shaped = [
        {"id": OPTION_IDS[i], "text": o["text"], **({"correct": True} if o["correct"] else {})}
        for i, o in enumerate(options)
    ]
    return _with_explanation(
        {**base, "type": kind, "options": shaped}, general or feedback_right, line, problems
    )


def _split_first_hash(raw: str) -> tuple[str, str, str]:
    at = _unescaped_index(raw, "#")
    if at < 0:
        return raw, "", ""
    return raw[:at], "#", _unescape(raw[at + 1 :]).strip()


def export_gift(questions: list[Question], heading: str = "") -> str:
    out = [f"// {heading}", ""] if heading else []
    for q in questions:
        out.append(f"// source: {q.source}")
        if q.type == "true_false":
            truth = "TRUE" if q.correct_ids == {"true"} else "FALSE"
            out.append(f"::{q.id}:: {escape(q.text)} {{{truth}####{escape(q.explanation)}}}")
        else:
            out.append(f"::{q.id}:: {escape(q.text)} {{")
            right = len(q.correct_ids)
            for option in q.options:
                if q.type == "single":
                    mark = "=" if option.correct else "~"
                else:
                    weight = f"{100 / right:.5g}" if option.correct else "-100"
                    mark = f"~%{weight}%"
                out.append(f"\t{mark}{escape(option.text)}")
            out.append(f"\t####{escape(q.explanation)}")
            out.append("}")
        out.append("")
    return "\n".join(out)
