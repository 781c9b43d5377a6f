"""``zonekeeper report ...`` and the report part of ``zonekeeper rules check``."""

from __future__ import annotations

import sys
from typing import Any

import click
from flask.cli import AppGroup

from ..config import default_reports_dir
from ..policy.errors import PolicyError


def check_definitions_or_exit(directory: str | None) -> dict[str, Any]:
    from .definitions import load_all

    try:
        definitions = load_all(directory or default_reports_dir())
    except PolicyError as exc:
        for issue in exc.issues:
            click.echo(str(issue), err=True)
        click.echo(
            f"{len(exc.issues)} problem(s) found; the report definitions were not loaded.",
            err=True,
        )
        sys.exit(2)
    click.echo(
        "OK: report definitions "
        + ", ".join(
            f"{d.file} ({len(d.metrics())} metrics, {d.hash})" for d in definitions.values()
        )
    )
    return definitions


@click.group(cls=AppGroup)
def report() -> None:
    """Build the monthly and annual compliance reports."""


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _formats(text: str) -> list[str]:
    from .render import FORMATS

    chosen = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        from ..policy.errors import suggest

        hint = suggest(unknown[0], FORMATS) if unknown else None
        _fail(
            f"unknown format '{unknown[0] if unknown else text}'"
            + (f" (did you mean '{hint}'?)" if hint else "")
            + f"; choose from {', '.join(FORMATS)}"
        )
    return list(dict.fromkeys(chosen))


@report.command("build")
@click.option("--month", "month", help="YYYY-MM (annual: YYYY); default: the last complete one.")
@click.option("--kind", type=click.Choice(["monthly", "annual"]), default="monthly")
@click.option("--format", "formats", default="html,pdf,xlsx,csv", help="Comma-separated.")
@click.option("--out", "out", default=".", type=click.Path(file_okay=False), help="Directory.")
@click.option("--reports-dir", type=click.Path(file_okay=False), help="Report definitions.")
def report_build(
    month: str | None, kind: str, formats: str, out: str, reports_dir: str | None
) -> None:
    """Build a compliance report into OUT; the same period twice writes the same files."""
    from pathlib import Path

    from flask import current_app
    from sqlalchemy.exc import SQLAlchemyError

    from ..clock import site_today
    from .build import EmptySiteError, build_for_period
    from .definitions import load_definition
    from .period import PeriodError, default_period, is_complete, parse_period
    from .render import file_name, render
    from .snapshots import snapshots_for

    chosen = _formats(formats)
    zone = current_app.config["SITE_TIMEZONE"]
    try:
        period = (
            parse_period(kind, month, zone) if month else default_period(kind, site_today(), zone)
        )
    except PeriodError as exc:
        _fail(str(exc))
    today = site_today()
    if period.start > today:
        _fail(f"{period.title} has not begun (today is {today.isoformat()}); nothing was built")
    signed = snapshots_for(kind, period.label)
    if signed:  # a signed period is written exactly as signed (the newest version)
        _write_signed(signed[0], chosen, Path(out))
        return
    if not is_complete(period, today):
        click.echo(f"note: {period.title} is not over: the files hold the figures so far", err=True)
    try:
        definition = load_definition(reports_dir or current_app.config["REPORTS_DIR"], kind)
    except PolicyError as exc:
        _fail("the report definition is invalid:\n" + str(exc))
    interactive = sys.stderr.isatty()
    try:
        built = build_for_period(definition, period)
    except EmptySiteError as exc:
        _fail(str(exc))
    except SQLAlchemyError as exc:
        _fail(f"the database could not be read ({type(exc).__name__}); run 'zonekeeper db upgrade'")
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    steps = (
        click.progressbar(chosen, label=f"{period.title}", file=sys.stderr) if interactive else None
    )
    written = []
    for fmt in steps if steps is not None else chosen:
        path = target / file_name(kind, period.label, fmt)
        partial = path.with_suffix(path.suffix + ".part")
        partial.write_bytes(render(built, fmt))
        partial.replace(path)  # atomic: a reader never sees half a file
        written.append(path)
    if steps is not None:
        steps.render_finish()
    if interactive:
        for path in written:
            click.echo(str(path))


def _write_signed(snapshot: Any, chosen: list[str], target: Any) -> None:
    """The signed files of ``snapshot``, byte for byte as signed; a format that was not
    signed is refused (exit 2) rather than rendered from today's data."""
    files = {f.format: f for f in snapshot.files}
    missing = [fmt for fmt in chosen if fmt not in files]
    if missing:
        _fail(
            f"{snapshot.period} is signed (version {snapshot.version}) without "
            f"{', '.join(missing)}; signed formats: {', '.join(sorted(files))}"
        )
    target.mkdir(parents=True, exist_ok=True)
    for fmt in chosen:
        path = target / files[fmt].file_name
        partial = path.with_suffix(path.suffix + ".part")
        partial.write_bytes(files[fmt].content)
        partial.replace(path)
    click.echo(
        f"{snapshot.period}: signed version {snapshot.version} by {snapshot.signer_name}; "
        "files written as signed",
        err=True,
    )
