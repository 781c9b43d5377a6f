"""Loading and validating the questionnaires in ``forms/``.

Layout: ``forms/<id>.yaml`` is the current version of form ``<id>`` (the one a
new screening uses); ``forms/archive/<id>.v<version>.yaml`` keeps an older
version so that screenings saved with it can still be read and printed.

Validation runs in two passes: the shape of each file (pydantic), then its
meaning (question types, screening facts, show_if, duplicates, the file's name
and version). Every problem in every file is reported at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from zonekeeper.policy.errors import PolicyError, PolicyIssue, suggest
from zonekeeper.policy.screening.facts import NOT_ANSWERED, SCREENING_FACTS

from .answers import check_answer_registry
from .definition import (
    QUESTION_TYPES,
    RESERVED_QUESTION_IDS,
    TYPE_SPECIFIC_SETTINGS,
    FormDefinition,
    QuestionDefinition,
    normalise_unit,
)
from .registry import FormRegistry, Questionnaire

ARCHIVE_DIR = "archive"
FORM_SUFFIXES = {".yaml", ".yml"}


def form_files(directory: Path) -> list[tuple[Path, bool]]:
    """Each form file and whether it is a current version (not under archive/)."""
    found: list[tuple[Path, bool]] = []
    for folder, current in ((directory, True), (directory / ARCHIVE_DIR, False)):
        if folder.is_dir():
            found.extend(
                (path, current)
                for path in sorted(folder.iterdir())
                if path.is_file() and path.suffix in FORM_SUFFIXES
            )
    return found


def load_forms(directory: str | Path) -> FormRegistry:
    """Load and validate every questionnaire in ``directory`` or raise PolicyError."""
    check_answer_registry()
    root = Path(directory)
    if not root.is_dir():
        raise PolicyError([PolicyIssue(str(root), "", "is not a directory of form files")])
    files = form_files(root)
    if not files:
        raise PolicyError([PolicyIssue(str(root), "", "holds no form files (*.yaml)")])
    issues: list[PolicyIssue] = []
    loaded: dict[tuple[str, int], Questionnaire] = {}
    for path, current in files:
        name = path.relative_to(root).as_posix()
        definition = _parse_file(path, name, issues)
        if definition is None:
            continue
        _check_file_name(path, definition, current, name, issues)
        _check_form(definition, name, issues)
        form = Questionnaire.from_definition(definition, name, current=current)
        if form.key in loaded:
            issues.append(
                PolicyIssue(
                    name,
                    "version",
                    f"form '{form.id}' version {form.version} is already defined "
                    f"in {loaded[form.key].file}",
                )
            )
            continue
        loaded[form.key] = form
    _check_current_is_latest(loaded, issues)
    if issues:
        raise PolicyError(issues)
    return FormRegistry(directory=str(root), forms=loaded)


def _parse_file(path: Path, name: str, issues: list[PolicyIssue]) -> FormDefinition | None:
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        issues.append(PolicyIssue(name, "", f"is not valid YAML: {exc}"))
        return None
    if not isinstance(data, dict):
        issues.append(PolicyIssue(name, "", "must be a mapping with id, title, version, sections"))
        return None
    try:
        return FormDefinition.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            issues.append(PolicyIssue(name, _format_loc(error["loc"]), error["msg"]))
        return None


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _check_file_name(
    path: Path, definition: FormDefinition, current: bool, name: str, issues: list[PolicyIssue]
) -> None:
    expected = definition.id if current else f"{definition.id}.v{definition.version}"
    if path.stem != expected:
        where = "forms/" if current else f"forms/{ARCHIVE_DIR}/"
        issues.append(
            PolicyIssue(name, "id", f"a form in {where} must be named '{expected}{path.suffix}'")
        )


def _check_current_is_latest(
    loaded: dict[tuple[str, int], Questionnaire], issues: list[PolicyIssue]
) -> None:
    for form in loaded.values():
        if not form.current:
            continue
        newer = [f for f in loaded.values() if f.id == form.id and f.version > form.version]
        for archived in newer:
            issues.append(
                PolicyIssue(
                    form.file,
                    "version",
                    f"version {form.version} is older than {archived.file} "
                    f"(version {archived.version}); the current file must be the newest",
                )
            )


def _check_form(definition: FormDefinition, name: str, issues: list[PolicyIssue]) -> None:
    """Meaning: ids, types, settings, facts and show_if, in question order."""
    _check_unique([s.id for s in definition.sections], name, "sections", "section", issues)
    earlier: dict[str, QuestionDefinition] = {}
    fact_owner: dict[str, str] = {}
    all_ids = {q.id for q in definition.questions()}
    for s_index, section in enumerate(definition.sections):
        for q_index, question in enumerate(section.questions):
            where = f"sections[{s_index}].questions[{q_index}]"
            if question.id in earlier:
                issues.append(
                    PolicyIssue(name, f"{where}.id", f"duplicate question id '{question.id}'")
                )
            if question.id in RESERVED_QUESTION_IDS:
                issues.append(
                    PolicyIssue(name, f"{where}.id", f"'{question.id}' is reserved by the web form")
                )
            if _check_type(question, name, where, issues):
                _check_sets(question, fact_owner, name, where, issues)
            if question.show_if is not None:
                _check_show_if(question, earlier, all_ids, name, where, issues)
            earlier.setdefault(question.id, question)


def _check_type(
    question: QuestionDefinition, name: str, where: str, issues: list[PolicyIssue]
) -> bool:
    """Whether the type is registered; its settings are checked if so."""
    spec = QUESTION_TYPES.get(question.type)
    if spec is None:
        known = ", ".join(QUESTION_TYPES)
        issues.append(
            PolicyIssue(
                name,
                f"{where}.type",
                f"unknown question type '{question.type}' (registered types: {known})",
                suggest(question.type, QUESTION_TYPES),
            )
        )
        return False
    given = {s for s in TYPE_SPECIFIC_SETTINGS if getattr(question, s) is not None}
    for setting in sorted(given - spec.settings):
        issues.append(
            PolicyIssue(name, f"{where}.{setting}", f"does not apply to a {spec.name} question")
        )
    for setting in sorted(spec.required_settings - given):
        issues.append(PolicyIssue(name, f"{where}", f"a {spec.name} question needs '{setting}'"))
    if question.red_flag_answer is not None and not question.red_flag:
        issues.append(
            PolicyIssue(name, f"{where}.red_flag_answer", "only applies with red_flag: true")
        )
    if question.min is not None and question.max is not None and question.min >= question.max:
        issues.append(PolicyIssue(name, f"{where}.max", "must be greater than min"))
    if question.options is not None:
        values = [option.value for option in question.options]
        if len(values) < 2:
            issues.append(PolicyIssue(name, f"{where}.options", "a choice needs two options"))
        _check_unique(values, name, f"{where}.options", "option", issues, key="value")
    return True


def _check_sets(
    question: QuestionDefinition,
    fact_owner: dict[str, str],
    name: str,
    where: str,
    issues: list[PolicyIssue],
) -> None:
    spec = QUESTION_TYPES[question.type]
    for index, fact_name in enumerate(question.sets):
        path = f"{where}.sets[{index}]"
        fact = SCREENING_FACTS.get(fact_name)
        if fact is None:
            settable = [f for f in SCREENING_FACTS if f not in NOT_ANSWERED]
            issues.append(
                PolicyIssue(
                    name,
                    path,
                    f"unknown screening fact '{fact_name}'",
                    suggest(fact_name, settable),
                )
            )
            continue
        if fact_name in NOT_ANSWERED:
            issues.append(
                PolicyIssue(
                    name,
                    path,
                    f"'{fact_name}' is set by the workflow from a recorded sign-off or "
                    "work-up step, never by a form answer",
                )
            )
            continue
        if spec.fact_type is None:
            issues.append(
                PolicyIssue(name, path, f"a {spec.name} question cannot set a screening fact")
            )
            continue
        if fact.type != spec.fact_type:
            issues.append(
                PolicyIssue(
                    name,
                    path,
                    f"fact '{fact_name}' is of type {fact.type}; a {spec.name} question "
                    f"sets facts of type {spec.fact_type}",
                )
            )
            continue
        if (
            fact.unit
            and question.unit
            and normalise_unit(fact.unit) != normalise_unit(question.unit)
        ):
            issues.append(
                PolicyIssue(
                    name,
                    f"{where}.unit",
                    f"'{question.unit}' does not match the unit of fact '{fact_name}' "
                    f"({fact.unit})",
                )
            )
        if fact_name in fact_owner:
            issues.append(
                PolicyIssue(
                    name,
                    path,
                    f"fact '{fact_name}' is already set by question '{fact_owner[fact_name]}'",
                )
            )
        fact_owner.setdefault(fact_name, question.id)


def _check_show_if(
    question: QuestionDefinition,
    earlier: dict[str, QuestionDefinition],
    all_ids: set[str],
    name: str,
    where: str,
    issues: list[PolicyIssue],
) -> None:
    show_if = question.show_if
    assert show_if is not None
    path = f"{where}.show_if"
    if (show_if.equals is None) == (show_if.any_of is None):
        issues.append(PolicyIssue(name, path, "give exactly one of 'equals' or 'in'"))
        return
    parent = earlier.get(show_if.question)
    if parent is None:
        if show_if.question == question.id:
            message = "a question cannot follow itself"
        elif show_if.question in all_ids:
            message = f"'{show_if.question}' comes later in the form; follow an earlier question"
        else:
            message = f"unknown question '{show_if.question}'"
        hint = None if show_if.question in all_ids else suggest(show_if.question, earlier)
        issues.append(PolicyIssue(name, f"{path}.question", message, hint))
        return
    parent_type = QUESTION_TYPES.get(parent.type)
    if parent_type is None:
        return  # reported at the parent
    if not parent_type.can_lead:
        leaders = ", ".join(t.name for t in QUESTION_TYPES.values() if t.can_lead)
        issues.append(
            PolicyIssue(
                name,
                f"{path}.question",
                f"'{parent.id}' is a {parent.type} question; show_if can follow {leaders}",
            )
        )
        return
    possible = parent_type.answers or tuple(o.value for o in parent.options or ())
    values = show_if.values()
    if show_if.any_of is not None and not values:
        issues.append(PolicyIssue(name, f"{path}.in", "must list at least one answer"))
    for value in values:
        value_path = f"{path}.equals" if show_if.any_of is None else f"{path}.in"
        if isinstance(value, bool):
            issues.append(
                PolicyIssue(
                    name,
                    value_path,
                    f"YAML reads a bare {'yes' if value else 'no'} as {str(value).lower()}; "
                    f'write "{"yes" if value else "no"}" in quotes',
                )
            )
        elif not isinstance(value, str) or value not in possible:
            issues.append(
                PolicyIssue(
                    name,
                    value_path,
                    f"'{parent.id}' can never be answered '{value}' "
                    f"(its answers: {', '.join(possible)})",
                    suggest(str(value), possible),
                )
            )


def _check_unique(
    ids: list[str],
    name: str,
    path: str,
    what: str,
    issues: list[PolicyIssue],
    *,
    key: str = "id",
) -> None:
    seen: set[str] = set()
    for index, item in enumerate(ids):
        if item in seen:
            issues.append(
                PolicyIssue(name, f"{path}[{index}].{key}", f"duplicate {what} {key} '{item}'")
            )
        seen.add(item)
