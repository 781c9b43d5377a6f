"""CSV downloads that open cleanly in pandas, Excel and LibreOffice.

Cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) are
prefixed with an apostrophe, so an exported name cannot become a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from flask import Response

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


def csv_response(name: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return Response(
        buffer.getvalue().encode("utf-8-sig"),  # the BOM makes Excel read UTF-8
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="zonekeeper-{name}-{stamp}.csv"'},
    )
