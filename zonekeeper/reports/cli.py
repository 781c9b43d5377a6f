"""``zonekeeper report ...`` and the report part of ``zonekeeper rules check``."""

from __future__ import annotations

import sys
from typing import Any

import click

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


@click.group()
def report() -> None:
    """Build the monthly and annual compliance reports."""
