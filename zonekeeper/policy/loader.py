"""Loading and validating the policy directory (``rules/*.yaml``).

Validation runs in two passes: the shape of each file (pydantic), then its
meaning against the fact catalogue and the other files (unknown fact, operator,
zone, level or designation; duplicate ids). Every problem is reported at once.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .conditions import OPERATORS, Condition, unknown_operator
from .errors import PolicyError, PolicyIssue, suggest
from .facts import FACTS, LIST_TYPES, ORDERED_TYPES, Domains, FactSpec, check_value
from .model import Policy, Rule
from .schema import (
    FILE_KINDS,
    AccessFile,
    AuditsFile,
    ConditionSpec,
    ContrastFile,
    PersonnelFile,
    ScreeningFile,
    StepsFile,
    StrictModel,
    ZonesFile,
)
from .screening.compile import compile_screening
from .screening.policy import ContrastPolicy, ScreeningPolicy
from .screening_steps import compile_steps


def policy_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())


def policy_version(files: list[Path]) -> str:
    """A hash of the rule files' names and bytes: stored with every decision."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return "sha256:" + digest.hexdigest()[:16]


def load_policy(directory: str | Path) -> Policy:
    """Load and validate every policy file in ``directory`` or raise PolicyError."""
    root = Path(directory)
    if not root.is_dir():
        raise PolicyError([PolicyIssue(str(root), "", "is not a directory of rule files")])
    files = policy_files(root)
    issues: list[PolicyIssue] = []
    parsed: dict[str, list[tuple[str, StrictModel]]] = {kind: [] for kind in FILE_KINDS}
    invalid_kinds: set[str] = set()  # a file of this kind exists but did not validate
    for path in files:
        kind, model = _parse_file(path, issues)
        if kind is not None and model is not None:
            parsed[kind].append((path.name, model))
        elif kind is not None:
            invalid_kinds.add(kind)
    if invalid_kinds:
        raise PolicyError(issues)

    zones = _single(parsed, "zones", root, issues)
    personnel = _single(parsed, "personnel", root, issues)
    if not parsed["access"]:
        issues.append(PolicyIssue(str(root), "", "no file of kind 'access' was found"))
    if issues or not isinstance(zones, ZonesFile) or not isinstance(personnel, PersonnelFile):
        raise PolicyError(issues)

    zones_name = _file_of(parsed, "zones")
    personnel_name = _file_of(parsed, "personnel")
    _check_unique([z.id for z in zones.zones], zones_name, "zones", issues)
    _check_unique([lv.id for lv in personnel.levels], personnel_name, "levels", issues)
    _check_unique([d.id for d in personnel.designations], personnel_name, "designations", issues)
    _check_unique([k.id for k in personnel.person_kinds], personnel_name, "person_kinds", issues)
    level_ids = [lv.id for lv in personnel.levels]
    for index, designation in enumerate(personnel.designations):
        if designation.requires_level not in level_ids:
            issues.append(
                PolicyIssue(
                    personnel_name,
                    f"designations[{index}].requires_level",
                    f"unknown level '{designation.requires_level}'",
                    suggest(designation.requires_level, level_ids),
                )
            )
    domains = Domains(
        zones=tuple(z.id for z in zones.zones),
        levels=tuple(level_ids),
        designations=tuple(d.id for d in personnel.designations),
        person_kinds=tuple(k.id for k in personnel.person_kinds),
    )

    rules: list[Rule] = []
    seen_rules: dict[str, str] = {}
    for file_name, access in parsed["access"]:
        assert isinstance(access, AccessFile)
        for index, spec in enumerate(access.rules):
            where = f"rules[{index}]"
            if spec.id in seen_rules:
                issues.append(
                    PolicyIssue(
                        file_name,
                        f"{where}.id",
                        f"duplicate rule id '{spec.id}' (first defined in {seen_rules[spec.id]})",
                    )
                )
            seen_rules.setdefault(spec.id, file_name)
            if not spec.display.strip():
                issues.append(
                    PolicyIssue(
                        file_name,
                        f"{where}.display",
                        "needs the short text the door shows (not blank)",
                    )
                )
            when = _compile(spec.when, file_name, f"{where}.when", domains, issues)
            unless = _compile(spec.unless, file_name, f"{where}.unless", domains, issues)
            rules.append(
                Rule(
                    spec.id,
                    spec.effect,
                    spec.code,
                    spec.text,
                    spec.source,
                    when,
                    unless,
                    file_name,
                    spec.display.strip(),
                )
            )
    audits = _optional_single(parsed, "audits", root, issues)
    if isinstance(audits, AuditsFile):
        _check_audits(audits, _file_of(parsed, "audits"), domains, issues)
    screening, contrast = _screening_policy(parsed, root, issues)
    steps_file = _optional_single(parsed, "screening_steps", root, issues)
    steps = (
        compile_steps(
            steps_file,
            _file_of(parsed, "screening_steps"),
            [lv.id for lv in personnel.levels],
            {lv.id: lv.name for lv in personnel.levels},
            {d.id: d.name for d in personnel.designations},
            issues,
        )
        if isinstance(steps_file, StepsFile)
        else {}
    )
    if issues:
        raise PolicyError(issues)
    return Policy(
        version=policy_version(files),
        directory=str(root),
        files=tuple(p.name for p in files),
        zones=tuple(zones.zones),
        levels=tuple(sorted(personnel.levels, key=lambda lv: lv.rank)),
        designations=tuple(personnel.designations),
        person_kinds=tuple(personnel.person_kinds),
        training_validity_days=personnel.training_validity_days,
        training_validity_source=personnel.training_validity_source,
        rules=tuple(rules),
        domains=domains,
        checklists=tuple(audits.checklists) if isinstance(audits, AuditsFile) else (),
        action_due_days=(
            {str(k): v for k, v in audits.action_due_days.items()}
            if isinstance(audits, AuditsFile)
            else {}
        ),
        incident_report_hours=audits.incident_report_hours
        if isinstance(audits, AuditsFile)
        else 24,
        medwatch_due_days=audits.medwatch_due_days if isinstance(audits, AuditsFile) else 10,
        screening=screening,
        contrast=contrast,
        steps=steps,
    )


def _screening_policy(
    parsed: dict[str, list[tuple[str, StrictModel]]], root: Path, issues: list[PolicyIssue]
) -> tuple[ScreeningPolicy | None, ContrastPolicy | None]:
    """rules/screening.yaml and rules/contrast.yaml: optional, at most one each."""
    screening = _optional_single(parsed, "screening", root, issues)
    contrast = _optional_single(parsed, "contrast", root, issues)
    if contrast is not None and screening is None:
        issues.append(PolicyIssue(str(root), "", "a 'contrast' file needs a 'screening' file"))
    if not isinstance(screening, ScreeningFile):
        return None, None
    contrast_pair = (
        (contrast, _file_of(parsed, "contrast")) if isinstance(contrast, ContrastFile) else None
    )
    return compile_screening(screening, _file_of(parsed, "screening"), contrast_pair, issues)


def _parse_file(path: Path, issues: list[PolicyIssue]) -> tuple[str | None, StrictModel | None]:
    """The file's kind (None if unreadable) and its validated model (None if invalid)."""
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        issues.append(PolicyIssue(path.name, "", f"is not valid YAML: {exc}"))
        return "unreadable", None
    if not isinstance(data, dict):
        issues.append(PolicyIssue(path.name, "", "must be a mapping with a 'kind' key"))
        return "unreadable", None
    kind = str(data.get("kind"))
    model_class = FILE_KINDS.get(kind)
    if model_class is None:
        issues.append(
            PolicyIssue(path.name, "kind", f"unknown file kind '{kind}'", suggest(kind, FILE_KINDS))
        )
        return "unreadable", None
    try:
        return kind, model_class.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            issues.append(PolicyIssue(path.name, _format_loc(error["loc"]), error["msg"]))
        return kind, None


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _single(
    parsed: dict[str, list[tuple[str, StrictModel]]],
    kind: str,
    root: Path,
    issues: list[PolicyIssue],
) -> StrictModel | None:
    found = parsed[kind]
    if len(found) != 1:
        names = ", ".join(name for name, _ in found) or "none"
        issues.append(
            PolicyIssue(str(root), "", f"exactly one file of kind '{kind}' is needed ({names})")
        )
        return None
    return found[0][1]


def _optional_single(
    parsed: dict[str, list[tuple[str, StrictModel]]],
    kind: str,
    root: Path,
    issues: list[PolicyIssue],
) -> StrictModel | None:
    return _single(parsed, kind, root, issues) if parsed[kind] else None


def _check_audits(
    audits: AuditsFile, file_name: str, domains: Domains, issues: list[PolicyIssue]
) -> None:
    """Checklist meaning: known zones, one target each, unique ids, a due time per severity."""
    _check_unique([c.id for c in audits.checklists], file_name, "checklists", issues)
    for severity in ("low", "medium", "high", "critical"):
        days = audits.action_due_days.get(severity)
        if days is None or days < 0:
            issues.append(
                PolicyIssue(file_name, f"action_due_days.{severity}", "needs a number of days >= 0")
            )
    for index, checklist in enumerate(audits.checklists):
        where = f"checklists[{index}].applies_to"
        target = checklist.applies_to
        if (target.zone is None) == (not target.scanner_rooms):
            issues.append(
                PolicyIssue(file_name, where, "give exactly one of 'zone' or 'scanner_rooms: true'")
            )
        elif target.zone is not None and target.zone not in domains.zones:
            issues.append(
                PolicyIssue(
                    file_name,
                    f"{where}.zone",
                    f"unknown zone '{target.zone}'",
                    suggest(target.zone, domains.zones),
                )
            )
        _check_unique(
            [item.id for item in checklist.items], file_name, f"checklists[{index}].items", issues
        )


def _file_of(parsed: dict[str, list[tuple[str, StrictModel]]], kind: str) -> str:
    return parsed[kind][0][0]


def _check_unique(ids: list[str], file_name: str, path: str, issues: list[PolicyIssue]) -> None:
    seen: set[str] = set()
    for index, item in enumerate(ids):
        if item in seen:
            issues.append(PolicyIssue(file_name, f"{path}[{index}].id", f"duplicate id '{item}'"))
        seen.add(item)


def _compile(
    specs: list[ConditionSpec],
    file_name: str,
    path: str,
    domains: Domains,
    issues: list[PolicyIssue],
) -> tuple[Condition, ...]:
    compiled: list[Condition] = []
    for index, spec in enumerate(specs):
        where = f"{path}[{index}]"
        fact = FACTS.get(spec.fact)
        if fact is None:
            issues.append(
                PolicyIssue(
                    file_name,
                    f"{where}.fact",
                    f"unknown fact '{spec.fact}'",
                    suggest(spec.fact, FACTS),
                )
            )
            continue
        bad_operator = unknown_operator(spec.op, file_name, where)
        if bad_operator is not None:
            issues.append(bad_operator)
            continue
        operator = OPERATORS[spec.op]
        problem = _value_problem(fact, operator.takes, spec.value, domains)
        if problem is not None:
            message, suggestion = problem
            issues.append(PolicyIssue(file_name, f"{where}.value", message, suggestion))
            continue
        value = tuple(spec.value) if isinstance(spec.value, list) else spec.value
        compiled.append(Condition(spec.fact, spec.op, value, operator.test))
    return tuple(compiled)


def _value_problem(
    fact: FactSpec, takes: str, value: Any, domains: Domains
) -> tuple[str, str | None] | None:
    """Why ``value`` cannot be compared with ``fact`` by an operator taking ``takes``."""
    allowed = domains.values_for(fact.type) or ()
    if takes == "none":
        return None if value is None else ("this operator takes no value", None)
    if takes == "number":
        if fact.type not in ORDERED_TYPES:
            return (f"fact '{fact.name}' is not a number and cannot be ordered", None)
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else ("must be a whole number", None)
    if takes == "member":
        if fact.type not in LIST_TYPES:
            return (f"fact '{fact.name}' is not a list; use eq or in", None)
        return _domain_problem(value, allowed)
    if fact.type in LIST_TYPES:
        return (f"fact '{fact.name}' is a list; use contains or not_contains", None)
    items = value if takes == "list" else [value]
    if takes == "list" and (not isinstance(value, list) or not value):
        return ("must be a non-empty list", None)
    for item in items:
        if item is None:
            return ("use is_null / not_null to test for an unknown value", None)
        if allowed and item not in allowed:
            return (f"unknown value '{item}' for fact '{fact.name}'", suggest(str(item), allowed))
        problem = check_value(fact, item, domains)
        if problem:
            return (problem, None)
    return None


def _domain_problem(value: Any, allowed: tuple[str, ...]) -> tuple[str, str | None] | None:
    if value not in allowed:
        return (f"unknown value '{value}'", suggest(str(value), allowed))
    return None
