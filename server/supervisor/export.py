"""CSV downloads of the supervisor lists, streamed: a year of movements never sits in memory at once."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime

from flask import Response, stream_with_context

from ..extensions import db
from . import clock

# Rows fetched from the database per round trip (yield_per: a server-side cursor on PostgreSQL).
BATCH_ROWS = 500
# Bytes gathered before a chunk goes out to the client.
CHUNK_BYTES = 16 * 1024
# A leading byte-order mark: Excel then reads the file as UTF-8 (names with umlauts stay intact);
# our own CSV imports read it as utf-8-sig, so an export can be edited and imported back.
BOM = "\ufeff"
# Cells starting like a formula are written with a leading apostrophe, so a spreadsheet shows
# them as text instead of running them (CSV injection through an item name or lot).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str | int:
    """One value as it goes into a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return clock.iso_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "value") and isinstance(value.value, str):  # StrEnum: its code
        value = value.value
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _lines(header: Sequence[str], rows: Iterable[Iterable]):
    """The CSV text of a header and rows, in chunks of about CHUNK_BYTES."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    buf.write(BOM)
    out.writerow(header)
    for row in rows:
        out.writerow([cell(v) for v in row])
        if buf.tell() >= CHUNK_BYTES:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def csv_response(filename: str, header: Sequence[str], stmt, to_row: Callable[[object], Iterable]) -> Response:
    """Stream stmt's rows as a CSV download: a header line, then one line per row (to_row picks the cells)."""

    def generate():
        result = db.session.execute(stmt.execution_options(yield_per=BATCH_ROWS))
        try:
            yield from _lines(header, (to_row(row) for row in result))
        finally:
            result.close()  # also when the download is cancelled half-way: free the server-side cursor

    return _download(filename, generate())


def rows_response(filename: str, header: Sequence[str], rows: Iterable[Iterable]) -> Response:
    """A CSV download of rows already read (a short summary table): a header line, then one line per row."""
    return _download(filename, _lines(header, rows))


def _download(filename: str, chunks) -> Response:
    response = Response(stream_with_context(chunks), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def export_name(stem: str) -> str:
    """A download name that says what and when: stock-by-item-2026-03-14.csv (the warehouse's date)."""
    return f"{stem}-{clock.today().isoformat()}.csv"
