"""A from/to date filter for exports, validated like any form."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from sqlalchemy import DateTime, Select
from sqlalchemy.types import TypeDecorator
from werkzeug.exceptions import BadRequest
from wtforms import DateField
from wtforms.validators import Optional, ValidationError

from .clock import site_zone


def plausible_date(form: FlaskForm, field: DateField) -> None:
    """Dates a safety record could carry; also keeps date arithmetic in range."""
    if field.data and not (1990 <= field.data.year <= 2100):
        raise ValidationError("Enter a date between 1990 and 2100.")


class DateRangeForm(FlaskForm):
    date_from = DateField("From", validators=[Optional(), plausible_date])
    date_to = DateField("To", validators=[Optional(), plausible_date])

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date is before the start date.")

    def day_bounds(self) -> tuple[date | None, date | None]:
        return self.date_from.data, self.date_to.data

    def utc_bounds(self) -> tuple[datetime | None, datetime | None]:
        """The range as UTC instants, from site midnight to site midnight."""
        zone = site_zone()
        first, last = self.date_from.data, self.date_to.data
        start = datetime.combine(first, time.min, tzinfo=zone) if first else None
        end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone) if last else None
        return (start.astimezone(UTC) if start else None, end.astimezone(UTC) if end else None)


class InvalidDateRange(BadRequest):
    """A reversed or impossible range: answered with the form and its messages (errors.py),
    not a bare 400."""

    def __init__(self, form: DateRangeForm):
        super().__init__()
        self.form = form


def date_range_from_query() -> DateRangeForm:
    return DateRangeForm(request.args, meta={"csrf": False})


def rows_in_range(query: Select, column: Any) -> Select:  # type: ignore[type-arg]
    """``query`` limited to the ?date_from=&date_to= site days of the request;
    InvalidDateRange if the range is invalid.

    ``column`` is a timestamp (compared in UTC from site midnight to site midnight)
    or a date (compared as days).
    """
    dates = date_range_from_query()
    if not dates.validate():
        raise InvalidDateRange(dates)
    is_timestamp = isinstance(column.type, DateTime | TypeDecorator)
    start, end = dates.utc_bounds() if is_timestamp else dates.day_bounds()
    if start is not None:
        query = query.where(column >= start)
    if end is not None:
        query = query.where(column < end if is_timestamp else column <= end)
    return query
