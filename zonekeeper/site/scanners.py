"""Each scanner's spatial field gradient data, as the site enters it from the vendor's MR
safety documentation: the worst case at patient-accessible positions and a small table of
"within N cm of isocentre, at most G" rows (the spatial field gradient plots of the
operator manual). The screening engine checks MR Conditional labels against it
(zonekeeper/policy/screening/gradient.py). Everyone may read it; the MRSO and the safety
director edit it, and every change is audited.
"""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import FieldList, Form, FormField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from ..audit.services import record_event
from ..auth.access import ROSTER_WRITERS
from ..choices import options
from ..extensions import db
from ..policy.screening.exam import GradientZone
from ..policy.screening.gradient_parse import gradient_map_as_si, parse_gradient_map
from ..policy.screening.units import UnitError, to_internal
from .models import Scanner

UNITS = ("T/m", "G/cm")
ROWS = 8


class GradientRowForm(Form):  # nested: the page's form carries the CSRF token
    within_cm = StringField("Within (cm of isocentre)", validators=[Optional(), Length(max=20)])
    max_gradient = StringField("At most", validators=[Optional(), Length(max=20)])
    unit = SelectField("Unit", choices=options((u, u) for u in UNITS), default="T/m")
    note = StringField("Note (where, e.g. patient path, 20 cm off axis)", [Length(max=200)])


class ScannerGradientForm(FlaskForm):
    worst_case = StringField(
        "Worst case at patient-accessible positions",
        validators=[InputRequired("Give the worst-case spatial field gradient."), Length(max=20)],
    )
    worst_case_unit = SelectField("Unit", choices=options((u, u) for u in UNITS), default="T/m")
    rows = FieldList(FormField(GradientRowForm), min_entries=ROWS, max_entries=ROWS)


class GradientEntryError(ValueError):
    """Entered values that cannot be stored: field -> message, shown at the fields."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


def _number(text: str) -> float | None:
    try:
        value = float((text or "").strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def set_gradient_data(
    scanner: Scanner, worst_case: str, unit: str, rows: list[dict[str, str]]
) -> bool:
    """Validate and store; GradientEntryError (nothing stored) names each bad field.

    ``rows``: dicts with within_cm, max_gradient, unit, note as typed (blank rows skipped).
    Returns whether anything changed."""
    problems: dict[str, str] = {}
    worst = _number(worst_case)
    worst_t: float | None = None
    if worst is None:
        problems["worst_case"] = "must be a number, e.g. 11.5 (T/m) or 1150 (G/cm)"
    else:
        try:
            worst_t = to_internal("spatial_gradient", worst, unit)
        except UnitError as exc:
            problems["worst_case"] = str(exc)
    entered: list[dict[str, Any]] = []
    positions: list[int] = []
    for index, row in enumerate(rows):
        if not any((row.get(k) or "").strip() for k in ("within_cm", "max_gradient", "note")):
            continue
        within, maximum = _number(row.get("within_cm", "")), _number(row.get("max_gradient", ""))
        if within is None:
            problems[f"rows-{index}-within_cm"] = "must be a number of centimetres"
        if maximum is None:
            problems[f"rows-{index}-max_gradient"] = "must be a number"
        if within is not None and maximum is not None:
            positions.append(index)
            entered.append(
                {
                    "within_cm": within,
                    "max_gradient": {"value": maximum, "unit": row.get("unit") or "T/m"},
                    "note": (row.get("note") or "").strip(),
                }
            )
    parsed: tuple[GradientZone, ...] | None = ()
    if worst_t is not None and entered:
        parsed, found = parse_gradient_map(entered, "rows", worst_case_t_per_m=worst_t)
        for problem in found:
            problems[_field_of(problem["field"], positions)] = problem["problem"]
    if problems or worst_t is None or parsed is None:
        raise GradientEntryError(problems)
    before = {
        "worst_case_t_per_m": scanner.spatial_field_gradient_t_per_m,
        "rows": scanner.spatial_gradient_map or [],
    }
    after = {"worst_case_t_per_m": worst_t, "rows": gradient_map_as_si(parsed)}
    if before == after:
        return False
    scanner.spatial_field_gradient_t_per_m = worst_t
    scanner.spatial_gradient_map = after["rows"]
    record_event(
        "site.scanner_gradients",
        f"Spatial gradient data of scanner {scanner.name}: worst case {worst_t:g} T/m, "
        f"{len(parsed)} table row(s)",
        target=scanner,
        before=before,
        after=after,
    )
    return True


def _field_of(path: str, positions: list[int]) -> str:
    """'rows[1].max_gradient' (of the rows entered) -> the form field 'rows-4-max_gradient'."""
    head, _, attribute = path.partition(".")
    if head.startswith("rows[") and head.endswith("]") and head[5:-1].isdigit():
        index = int(head[5:-1])
        if index < len(positions):
            name = "within_cm" if attribute == "within_cm" else "max_gradient"
            return f"rows-{positions[index]}-{name}"
    return "rows"


def _shown(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else ""


def scanners() -> ResponseReturnValue:
    items = list(db.session.scalars(select(Scanner).order_by(Scanner.field_strength_t)))
    return render_template(
        "site/scanners.html", scanners=items, can_edit=current_user.role in ROSTER_WRITERS
    )


def scanner_edit(scanner_id: int) -> ResponseReturnValue:
    scanner = db.session.get(Scanner, scanner_id, with_for_update=True) or abort(404)
    form = ScannerGradientForm()
    if not form.is_submitted():
        form = ScannerGradientForm(
            formdata=None, worst_case=f"{scanner.spatial_field_gradient_t_per_m:g}"
        )
        for entry, row in zip(form.rows.entries, scanner.spatial_gradient_map or [], strict=False):
            entry.form.within_cm.data = _shown(row.get("within_cm"))
            entry.form.max_gradient.data = _shown(row.get("max_t_per_m"))
            entry.form.note.data = str(row.get("note") or "")
        return render_template("site/scanner_edit.html", scanner=scanner, form=form, problems={})
    problems: dict[str, str] = {}
    if form.validate():
        rows = [entry.form.data for entry in form.rows.entries]
        try:
            changed = set_gradient_data(
                scanner, form.worst_case.data or "", form.worst_case_unit.data or "T/m", rows
            )
            db.session.commit()
            flash(
                f"Spatial gradient data of {scanner.name} saved."
                if changed
                else "Nothing changed.",
                "info",
            )
            return redirect(url_for("site.scanners"))
        except GradientEntryError as exc:
            db.session.rollback()
            problems = exc.problems
    elif "csrf_token" in form.errors:
        abort(400)
    else:
        problems = {"form": "Some values are too long."}
    return render_template(
        "site/scanner_edit.html", scanner=scanner, form=form, problems=problems
    ), 400


def register_scanner_views(bp: Blueprint) -> None:
    bp.add_url_rule("/scanners", endpoint="scanners", view_func=scanners)
    bp.add_url_rule(
        "/scanners/<int:scanner_id>/gradients",
        endpoint="scanner_edit",
        view_func=scanner_edit,
        methods=["GET", "POST"],
    )
