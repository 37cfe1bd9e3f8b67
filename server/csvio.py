"""The one CSV import helper (go-live imports of items, locations, receipts, opening stock; orders next).

Each row is validated by the SAME marshmallow schema as the JSON API, saved in its own savepoint, and a bad
row is reported as {line, reason} with its line number as in the file (header = line 1; a quoted cell that
spans lines counts all of them) while the other rows go in.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError
from marshmallow import fields as ma

from .errors import DomainError, field_errors_text
from .extensions import db

TRUE = {"1", "true", "yes", "y", "x"}
FALSE = {"0", "false", "no", "n"}
_INTEGER = re.compile(r"[+-]?[0-9]+")
_LIST_SEPARATORS = re.compile(r"[;\s]+")
# Our CSV exports write a cell starting like a formula with a leading apostrophe (CSV injection); an
# exported file edited and imported back gets the value without it.
_ESCAPED_FORMULA = re.compile(r"'[=+\-@]")


class RowError(ValueError):
    """A bad row (or file); the import reports it with the file's line number and goes on with other rows.

    `line` names the row when a group of rows is saved together and one of them is the culprit."""

    def __init__(self, reason: str, *, line: int | None = None):
        super().__init__(reason)
        self.line = line


@dataclass
class CsvRow:
    line: int
    values: dict  # loaded by the schema, defaults filled in, keyed by attribute name
    given: frozenset[str]  # the attributes whose cells were filled in (an update changes only these)
    extra: dict[str, str] = field(default_factory=dict)  # cells of columns the schema does not know


def read_rows(data: bytes | str, required: Iterable[str] = ()) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line where the row starts, {lower-cased column: trimmed cell}) for each non-empty row."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise RowError(_("The file is not UTF-8 text: save it as CSV (UTF-8).")) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        missing = set(required) - set(header)
        if missing:
            raise RowError(_("The file lacks the column(s): %(cols)s.", cols=", ".join(sorted(missing))))
        while True:
            start = reader.line_num + 1  # the reader counts physical lines, so a row starts right after
            cells = next(reader, None)
            if cells is None:
                return
            row = {name: _clean(cell) for name, cell in zip(header, cells) if name}
            if any(row.values()):
                yield start, row
    except csv.Error as e:
        raise RowError(_("The file cannot be read as CSV near line %(n)d: %(e)s",
                         n=reader.line_num, e=e)) from None


def _delimiter(text: str) -> str:
    """The header line's most used separator among , ; and tab (a one-column file: ,)."""
    header = text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _clean(cell: str) -> str:
    cell = cell.strip()
    return cell[1:] if _ESCAPED_FORMULA.match(cell) else cell


def load_row(schema: Schema, line: int, cells: Mapping[str, str], *, extra: Iterable[str] = (),
             fixed: Mapping | None = None) -> CsvRow:
    """Validate one row's cells with the API's schema; RowError says what is wrong, as the API would."""
    if any("\x00" in v for v in cells.values()):
        raise RowError(_("The row contains a NUL character, which no field can hold."))
    raw, given = {}, set()
    for name, fld in schema.fields.items():
        column = fld.data_key or name
        value = cells.get(column, "")
        if value != "":
            raw[column] = _typed(fld, column, value)
            given.add(name)
    raw.update(fixed or {})  # values the import sets, whatever the file says
    try:
        values = schema.load(raw)
    except ValidationError as e:
        raise RowError(field_errors_text(e.messages)) from None
    return CsvRow(line, values, frozenset(given), {k: cells.get(k, "") for k in extra})


def _typed(fld: ma.Field, column: str, value: str):
    """A cell as the JSON API would have received it (numbers, yes/no, lists); the schema checks the rest.

    A cell that is not even of the field's type is refused here, naming the value the file holds.
    """
    if isinstance(fld, ma.Integer):
        if not _INTEGER.fullmatch(value):
            raise RowError(_("%(col)s must be a whole number, not %(v)s.", col=column, v=value))
        return int(value)
    if isinstance(fld, ma.Float):
        try:
            return float(value)
        except ValueError:
            raise RowError(_("%(col)s must be a number, not %(v)s.", col=column, v=value)) from None
    if isinstance(fld, ma.Boolean):
        if value.lower() not in TRUE | FALSE:
            raise RowError(_("%(col)s must be yes or no, not %(v)s.", col=column, v=value))
        return value.lower() in TRUE
    if isinstance(fld, ma.Date):
        try:
            date.fromisoformat(value)
        except ValueError:
            raise RowError(_("%(col)s must be a date like 2027-03-31, not %(v)s.", col=column, v=value)) from None
    if isinstance(fld, ma.List):
        return [v for v in _LIST_SEPARATORS.split(value) if v]
    return value


def import_rows(data: bytes | str, schema: Schema, save: Callable[[CsvRow], str], *,
                required: Iterable[str] = (), extra: Iterable[str] = (), fixed: Mapping | None = None) -> dict:
    """Validate each row, then save(row) → "created" | "updated" in a savepoint of its own: a refused row
    is rolled back and reported, the others stay. Returns the API's ImportResult."""
    return import_groups(data, schema, lambda rows: save(rows[0]), key=None, required=required, extra=extra,
                         fixed=fixed)


def import_groups(data: bytes | str, schema: Schema, save: Callable[[list[CsvRow]], str], *, key: str | None,
                  required: Iterable[str] = (), extra: Iterable[str] = (), fixed: Mapping | None = None) -> dict:
    """Rows with the same `key` cell (a receipt's or an order's reference) make one record: each row is
    validated, a group with a bad row is reported and skipped whole, and save(rows) runs in a savepoint of
    its own (key None: every row is its own group). Returns the API's ImportResult."""
    counts, errors = {"created": 0, "updated": 0}, []
    groups: dict[object, list[tuple[int, dict]]] = {}
    try:
        for line, cells in read_rows(data, required):
            groups.setdefault(cells.get(key, "") if key else line, []).append((line, cells))
    except RowError as e:
        return {**counts, "errors": [{"line": 1, "reason": str(e)}]}
    for group in groups.values():
        rows, refused = [], []
        for line, cells in group:
            try:
                rows.append(load_row(schema, line, cells, extra=extra, fixed=fixed))
            except RowError as e:
                refused.append({"line": line, "reason": str(e)})
        if refused:
            errors.extend(refused)
            continue
        try:
            with db.session.begin_nested():
                counts[save(rows)] += 1
        except (RowError, DomainError, ValueError) as e:  # ValueError: e.g. a case-pack count that is no number
            errors.append({"line": getattr(e, "line", None) or rows[0].line,
                           "reason": getattr(e, "detail", None) or str(e)})
    return {**counts, "errors": sorted(errors, key=lambda e: e["line"])}
