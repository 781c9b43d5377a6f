"""Loading and validating the training courses in ``courses/``.

Layout: ``courses/<course-id>/course.yaml`` lists the modules in order; each module
is ``courses/<course-id>/<module-id>.yaml`` with a reading text and a question bank.

Validation runs in two passes, like ``rules/`` and ``forms/``: the shape of each
file (pydantic), then its meaning (answers, sources, ids unique across every
course, module files, bank sizes). Every problem in every file is reported at
once, naming the file, the path inside it and, where it can, what was meant.
Pure Python: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from zonekeeper.policy.errors import PolicyError, PolicyIssue, suggest

from .course_schema import (
    KNOWN_SOURCES,
    OPTION_IDS,
    QUESTION_TYPES,
    SOURCE_ALIASES,
    CourseFile,
    ModuleFile,
    OptionFile,
    QuestionFile,
)

COURSE_FILE = "course.yaml"
# the bank a whole course must hold, by course id (ACR Level 1 and Level 2 annual courses)
MIN_COURSE_QUESTIONS = {"level-1": 60, "level-2": 120}
MIN_MODULE_QUESTIONS = 5


@dataclass(frozen=True, slots=True)
class Option:
    id: str
    text: str
    correct: bool


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    type: str
    text: str
    options: tuple[Option, ...]  # true/false questions get options "true" and "false"
    explanation: str
    source: str
    module_id: str

    @property
    def correct_ids(self) -> frozenset[str]:
        return frozenset(o.id for o in self.options if o.correct)


@dataclass(frozen=True, slots=True)
class Module:
    id: str
    title: str
    reading: str
    questions: tuple[Question, ...]


@dataclass(frozen=True, slots=True)
class Course:
    id: str
    version: int
    title: str
    grants_level: str
    audience: str
    pass_mark_percent: int
    questions_per_module: int
    cooldown_minutes: int
    modules: tuple[Module, ...]
    requires_cosign: bool | None
    content_hash: str

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for m in self.modules for q in m.questions)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


def _read_yaml(path: Path, name: str, model: type[BaseModel], issues: list[PolicyIssue]) -> Any:
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        issues.append(PolicyIssue(name, "", f"is not valid YAML: {exc}"))
        return None
    if not isinstance(data, dict):
        issues.append(PolicyIssue(name, "", f"must be a mapping ({', '.join(model.model_fields)})"))
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            issues.append(_schema_issue(name, model, error))
        return None


def _schema_issue(name: str, model: type[BaseModel], error: Any) -> PolicyIssue:
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden":
        # find the model the unknown key sits in, so the suggestion names a real field
        fields = _fields_at(model, loc[:-1])
        key = str(loc[-1])
        return PolicyIssue(name, _format_loc(loc), "unknown key", suggest(key, fields))
    return PolicyIssue(name, _format_loc(loc), error["msg"])


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    nested: dict[str, type[BaseModel]] = {"options": OptionFile, "questions": QuestionFile}
    current = model
    for part in loc:
        if isinstance(part, str) and part in nested:
            current = nested[part]
    return list(current.model_fields)


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def known_source(source: str) -> bool:
    """Whether a question's source names one of the bodies the courses may cite."""
    names = (*KNOWN_SOURCES, *SOURCE_ALIASES)
    return any(re.search(rf"(?<![A-Za-z]){re.escape(n)}(?![A-Za-z])", source) for n in names)


def load_courses(directory: str | Path) -> dict[str, Course]:
    """Load and validate every course under ``directory`` or raise PolicyError."""
    root = Path(directory)
    if not root.is_dir():
        raise PolicyError([PolicyIssue(str(root), "", "is not a directory of courses")])
    issues: list[PolicyIssue] = []
    courses: dict[str, Course] = {}
    seen_questions: dict[str, str] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        course = _load_course(folder, issues, seen_questions)
        if course is not None:
            courses[course.id] = course
    if issues:
        raise PolicyError(issues)
    return courses


def _load_course(
    folder: Path, issues: list[PolicyIssue], seen_questions: dict[str, str]
) -> Course | None:
    name = f"{folder.name}/{COURSE_FILE}"
    if not (folder / COURSE_FILE).is_file():
        issues.append(PolicyIssue(folder.name, "", f"has no {COURSE_FILE}"))
        return None
    first_error = len(issues)
    spec: CourseFile | None = _read_yaml(folder / COURSE_FILE, name, CourseFile, issues)
    if spec is None:
        return None
    if spec.id != folder.name:
        issues.append(PolicyIssue(name, "id", f"must equal the folder name '{folder.name}'"))
    modules: list[Module] = []
    files = sorted(p.stem for p in folder.glob("*.yaml") if p.name != COURSE_FILE)
    for index, module_id in enumerate(spec.modules):
        module = _load_module(folder, module_id, index, spec, files, issues, seen_questions)
        if module is not None:
            modules.append(module)
    for orphan in sorted(set(files) - set(spec.modules)):
        issues.append(
            PolicyIssue(f"{folder.name}/{orphan}.yaml", "", "is not listed in course.yaml modules")
        )
    _check_course_size(spec, modules, name, issues)
    if len(issues) > first_error:
        return None
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return Course(
        id=spec.id,
        version=spec.version,
        title=spec.title,
        grants_level=spec.grants_level,
        audience=spec.audience,
        pass_mark_percent=spec.pass_mark_percent,
        questions_per_module=spec.questions_per_module,
        cooldown_minutes=spec.cooldown_minutes,
        modules=tuple(modules),
        requires_cosign=spec.requires_cosign,
        content_hash=f"sha256:{digest.hexdigest()[:16]}",
    )


def _load_module(
    folder: Path,
    module_id: str,
    index: int,
    spec: CourseFile,
    files: list[str],
    issues: list[PolicyIssue],
    seen_questions: dict[str, str],
) -> Module | None:
    course_name = f"{folder.name}/{COURSE_FILE}"
    path = folder / f"{module_id}.yaml"
    if not path.is_file():
        message = f"module '{module_id}' has no file {folder.name}/{module_id}.yaml"
        issues.append(
            PolicyIssue(course_name, f"modules[{index}]", message, suggest(module_id, files))
        )
        return None
    name = f"{folder.name}/{module_id}.yaml"
    parsed: ModuleFile | None = _read_yaml(path, name, ModuleFile, issues)
    if parsed is None:
        return None
    if parsed.id != module_id:
        issues.append(PolicyIssue(name, "id", f"must equal the file name '{module_id}'"))
    questions = []
    for q_index, question in enumerate(parsed.questions):
        where = f"questions[{q_index}]"
        if question.id in seen_questions:
            issues.append(
                PolicyIssue(
                    name,
                    f"{where}.id",
                    f"duplicate question id '{question.id}' "
                    f"(also in {seen_questions[question.id]})",
                )
            )
        seen_questions.setdefault(question.id, name)
        checked = _check_question(question, module_id, name, where, issues)
        if checked is not None:
            questions.append(checked)
    count = len(parsed.questions)
    needed = max(MIN_MODULE_QUESTIONS, spec.questions_per_module)
    if count < needed:
        issues.append(
            PolicyIssue(
                name,
                "questions",
                f"holds {count} question(s); every module needs at least {needed} "
                f"(at least {MIN_MODULE_QUESTIONS}, and at least questions_per_module)",
            )
        )
    return Module(
        id=module_id, title=parsed.title, reading=parsed.reading, questions=tuple(questions)
    )


def _check_question(
    q: QuestionFile, module_id: str, name: str, where: str, issues: list[PolicyIssue]
) -> Question | None:
    before = len(issues)
    if q.type not in QUESTION_TYPES:
        issues.append(
            PolicyIssue(
                name,
                f"{where}.type",
                f"unknown question type '{q.type}' (one of {', '.join(QUESTION_TYPES)})",
                suggest(q.type, QUESTION_TYPES),
            )
        )
    if not q.explanation.strip():
        issues.append(
            PolicyIssue(name, f"{where}.explanation", "is missing (shown after answering)")
        )
    if not q.source.strip():
        issues.append(PolicyIssue(name, f"{where}.source", "is missing (name the document)"))
    elif not known_source(q.source):
        issues.append(
            PolicyIssue(
                name,
                f"{where}.source",
                f"'{q.source}' names none of the known bodies ({', '.join(KNOWN_SOURCES)})",
            )
        )
    options: tuple[Option, ...] = ()
    if q.type == "true_false":
        if q.options is not None:
            issues.append(
                PolicyIssue(name, f"{where}.options", "a true_false question uses 'answer'")
            )
        if q.answer is None:
            issues.append(
                PolicyIssue(
                    name, f"{where}.answer", "a true_false question needs answer: true or false"
                )
            )
        else:
            options = (Option("true", "True", q.answer), Option("false", "False", not q.answer))
    elif q.type in ("single", "multiple"):
        if q.answer is not None:
            issues.append(
                PolicyIssue(name, f"{where}.answer", f"does not apply to a {q.type} question")
            )
        options = _check_options(q, name, where, issues)
    if len(issues) > before:
        return None
    return Question(
        id=q.id,
        type=q.type,
        text=q.text.strip(),
        options=options,
        explanation=q.explanation.strip(),
        source=q.source.strip(),
        module_id=module_id,
    )


def _check_options(
    q: QuestionFile, name: str, where: str, issues: list[PolicyIssue]
) -> tuple[Option, ...]:
    raw = q.options or []
    if not 2 <= len(raw) <= len(OPTION_IDS):
        issues.append(
            PolicyIssue(name, f"{where}.options", f"needs 2 to {len(OPTION_IDS)} options")
        )
        return ()
    ids = [o.id for o in raw]
    for o_index, option in enumerate(raw):
        if option.id not in OPTION_IDS:
            issues.append(
                PolicyIssue(
                    name,
                    f"{where}.options[{o_index}].id",
                    f"option ids are {', '.join(OPTION_IDS)}",
                    suggest(option.id, OPTION_IDS),
                )
            )
    if len(set(ids)) != len(ids):
        issues.append(PolicyIssue(name, f"{where}.options", "option ids must be unique"))
    correct = sum(1 for o in raw if o.correct)
    if q.type == "single" and correct != 1:
        issues.append(
            PolicyIssue(
                name,
                f"{where}.options",
                f"a single-choice question needs exactly one correct option ({correct} marked)",
            )
        )
    if q.type == "multiple" and correct < 1:
        issues.append(
            PolicyIssue(
                name, f"{where}.options", "a multiple-answer question needs a correct option"
            )
        )
    return tuple(Option(o.id, o.text.strip(), o.correct) for o in raw)


def _check_course_size(
    spec: CourseFile, modules: list[Module], name: str, issues: list[PolicyIssue]
) -> None:
    if len(set(spec.modules)) != len(spec.modules):
        issues.append(PolicyIssue(name, "modules", "a module is listed twice"))
    needed = MIN_COURSE_QUESTIONS.get(spec.id)
    total = sum(len(m.questions) for m in modules)
    if needed is not None and total < needed:
        issues.append(
            PolicyIssue(
                name,
                "modules",
                f"the {spec.id} bank holds {total} question(s); it needs at least {needed}",
            )
        )
