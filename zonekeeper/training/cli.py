"""``zonekeeper training ...`` and the course part of ``zonekeeper rules check``."""

from __future__ import annotations

import json
import sys

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
