"""The outcome banner in short: one line per reason, not one per unanswered question.

A new screening is "more information required" with one reason per open question (36 on
the patient form) and the same "answer the open questions" action for each. At the desk
that buries the first question and the reasons that matter; the banner groups them:
"36 questions not answered yet" (linked to the first), "12 safety rules cannot be decided
until they are answered" (folded), then the other reasons, each once.
The stored decision keeps every reason: this only shapes what the page shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

UNANSWERED = "unanswered"
UNKNOWN_ANSWER = "unknown_answer"  # a rule that cannot be decided until answers are given
GROUPED = frozenset({UNANSWERED, UNKNOWN_ANSWER})


@dataclass(frozen=True)
class BannerLine:
    text: str
    disposition: str
    link: str = ""  # an anchor on the page (the first open question)
    count: int = 1
    details: tuple[str, ...] = ()  # the grouped reasons, shown folded


@dataclass(frozen=True)
class Banner:
    reasons: tuple[BannerLine, ...]
    actions: tuple[Mapping[str, Any], ...]


def _get(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def _once(items: Iterable[Any], key: Any) -> list[Any]:
    seen: set[Any] = set()
    kept = []
    for item in items:
        k = key(item)
        if k not in seen:
            seen.add(k)
            kept.append(item)
    return kept


def outcome_banner(decision: Mapping[str, Any] | None, missing: Sequence[str] = ()) -> Banner:
    """The decision's reasons and actions as the banner shows them; ``missing`` are the
    form's unanswered required questions (ids), the first of which the grouped line links."""
    if not decision:
        return Banner((), ())
    reasons = list(decision.get("reasons") or [])
    open_ = [r for r in reasons if _get(r, "code") == UNANSWERED]
    lines: list[BannerLine] = []
    if open_:
        n = len(open_)
        lines.append(
            BannerLine(
                f"{n} question{'s' if n != 1 else ''} not answered yet: every screening "
                "question needs a yes or no.",
                "more_info_required",
                f"#q-{missing[0]}" if missing else "#questionnaire",
                n,
            )
        )
    waiting = _once(
        (r for r in reasons if _get(r, "code") == UNKNOWN_ANSWER), lambda r: _get(r, "text")
    )
    if waiting:
        n = len(waiting)
        lines.append(
            BannerLine(
                f"{n} safety rule{'s' if n != 1 else ''} cannot be decided until "
                f"{'they are' if n != 1 else 'it is'} answered.",
                "more_info_required",
                count=n,
                details=tuple(_get(r, "text") for r in waiting),
            )
        )
    others = _once(
        (r for r in reasons if _get(r, "code") not in GROUPED), lambda r: _get(r, "text")
    )
    lines += [BannerLine(_get(r, "text"), _get(r, "disposition") or "") for r in others]
    actions = _once(decision.get("actions") or [], lambda a: (_get(a, "code"), _get(a, "text")))
    return Banner(tuple(lines), tuple(actions))


def blocking_errors(form: Any) -> list[tuple[Any, str]]:
    """The questionnaire's fields whose errors stopped the save, each with its first such
    error (an unanswered question alone never stops a save: it is "please answer")."""
    from ..questionnaires.fields import ANSWER_PLEASE

    marked = []
    for field in form:
        if field.name == "csrf_token":
            continue
        blocking = [e for e in field.errors if e != ANSWER_PLEASE]
        if blocking:
            marked.append((field, blocking[0]))
    return marked
