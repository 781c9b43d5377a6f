"""``zonekeeper training ...`` and the course part of ``zonekeeper rules check``."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import click

from ..config import default_courses_dir
from ..policy.errors import PolicyError
from .courses import Course, load_courses


def load_courses_or_exit(directory: str | None) -> dict[str, Course]:
    try:
        return load_courses(directory or default_courses_dir())
    except PolicyError as exc:
        for issue in exc.issues:
            click.echo(str(issue), err=True)
        click.echo(f"{len(exc.issues)} problem(s) found; the courses were not loaded.", err=True)
        sys.exit(2)


def check_courses_or_exit(directory: str | None) -> None:
    courses = load_courses_or_exit(directory)
    click.echo(
        f"OK: {len(courses)} training course(s)"
        + (": " if courses else "")
        + ", ".join(f"{c.id} v{c.version} ({len(c.questions)} questions)" for c in courses.values())
    )


def bank_stats(courses: dict[str, Course]) -> list[dict[str, object]]:
    return [
        {
            "course": c.id,
            "version": c.version,
            "grants_level": c.grants_level,
            "questions": len(c.questions),
            "drawn_per_attempt": c.questions_per_module * len(c.modules),
            "modules": [{"module": m.id, "questions": len(m.questions)} for m in c.modules],
        }
        for c in courses.values()
    ]


@click.group()
def training() -> None:
    """Annual MR safety training: the courses and their question banks."""


@training.command("stats")
@click.option("--courses-dir", type=click.Path(file_okay=False), help="Courses directory.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def training_stats(courses_dir: str | None, as_json: bool) -> None:
    """The question bank size per course and module."""
    stats = bank_stats(load_courses_or_exit(courses_dir))
    if as_json:
        click.echo(json.dumps({"courses": stats}, indent=2))
        return
    for course in stats:
        click.echo(
            f"{course['course']} v{course['version']} ({course['grants_level']}): "
            f"{course['questions']} questions, {course['drawn_per_attempt']} drawn per attempt"
        )
        for module in course["modules"]:  # type: ignore[attr-defined]
            click.echo(f"  {module['module']:32} {module['questions']:4}")


@training.command("import-gift")
@click.argument("gift_file", type=click.File("r", encoding="utf-8"))
@click.option("--course", "course_id", required=True, help="Course id (its folder).")
@click.option("--module", "module_id", required=True, help="Module id (its file).")
@click.option("--source", default="", help="Source for questions without a '// source:' line.")
@click.option("--courses-dir", type=click.Path(file_okay=False), help="Courses directory.")
def training_import_gift(
    gift_file: Any, course_id: str, module_id: str, source: str, courses_dir: str | None
) -> None:
    """Add the questions of a Moodle GIFT file to a module (all or nothing)."""
    from .gift import GiftError
    from .gift_import import import_gift

    try:
        count = import_gift(
            courses_dir or default_courses_dir(), course_id, module_id, gift_file.read(), source
        )
    except GiftError as exc:
        for problem in exc.problems:
            click.echo(f"{gift_file.name}: {problem}", err=True)
        click.echo(f"{len(exc.problems)} problem(s); nothing was imported.", err=True)
        sys.exit(2)
    except PolicyError as exc:
        for issue in exc.issues:
            click.echo(str(issue), err=True)
        click.echo("The course would not validate; nothing was imported.", err=True)
        sys.exit(2)
    click.echo(f"Imported {count} question(s) into {course_id}/{module_id}.yaml.")


@training.command("export-gift")
@click.argument("course_id")
@click.option("--module", "module_id", help="Only this module.")
@click.option("--courses-dir", type=click.Path(file_okay=False), help="Courses directory.")
def training_export_gift(course_id: str, module_id: str | None, courses_dir: str | None) -> None:
    """Print a course's (or one module's) questions in Moodle GIFT format."""
    from .gift import export_gift

    courses = load_courses_or_exit(courses_dir)
    course = courses.get(course_id)
    if course is None:
        _fail_unknown("course", course_id, courses)
    modules = [m for m in course.modules if module_id in (None, m.id)]
    if not modules:
        _fail_unknown("module", str(module_id), [m.id for m in course.modules])
    for module in modules:
        click.echo(
            export_gift(list(module.questions), f"{course.id} v{course.version}: {module.title}")
        )


def _fail_unknown(what: str, name: str, known: Any) -> NoReturn:
    from ..policy.errors import suggest

    hint = suggest(name, known)
    click.echo(
        f"error: unknown {what} '{name}'" + (f" (did you mean '{hint}'?)" if hint else ""), err=True
    )
    sys.exit(2)
