"""The one CSV import helper (go-live imports of items, locations, receipts, opening stock; orders next).

Each row is validated by the SAME marshmallow schema as the JSON API, saved in its own savepoint, and a bad
row is reported as {line, reason} with its line number as in the file (header = line 1; a quoted cell that
spans lines counts all of them) while the other rows go in.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError
from marshmallow import fields as ma

from .errors import DomainError, field_errors_text
from .extensions import db
from .http import run_in_transaction

TRUE = {"1", "true", "yes", "y", "x"}
FALSE = {"0", "false", "no", "n"}
_INTEGER = re.compile(r"[+-]?[0-9]+")
_LIST_SEPARATORS = re.compile(r"[;\s]+")
# Our CSV exports write a cell starting like a formula with a leading apostrophe (CSV injection); an
# exported file edited and imported back gets the value without it.
_ESCAPED_FORMULA = re.compile(r"'[=+\-@]")
# A cell may be as long as the file: the row's schema refuses a long value as that row's error (the csv
# module's own limit, 131,072 characters, would refuse the whole file).
csv.field_size_limit(64 * 1024 * 1024)


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
    except csv.Error:
        raise RowError(_("The file cannot be read as CSV near line %(n)d: check that its quotes pair up.",
                         n=reader.line_num)) from None


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
    with_nul = sorted(column for column, value in cells.items() if "\x00" in value)
    if with_nul:  # PostgreSQL cannot store it in text: refused here, for the column that has it
        raise RowError(_("%(col)s: contains a NUL character, which no field can hold.", col=with_nul[0]))
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
    try:
        groups = group_rows(data, key, required)
    except RowError as e:
        return unreadable(e)
    loaded = [load_group(schema, group, extra=extra, fixed=fixed) for group in groups]
    return save_groups(loaded, save)


def empty_result() -> dict:
    return {"created": 0, "updated": 0, "errors": []}


def unreadable(error: RowError, empty: dict | None = None) -> dict:
    return {**(empty or empty_result()), "errors": [{"line": 1, "reason": str(error)}]}


def group_rows(data: bytes | str, key: str | None, required: Iterable[str] = ()) -> list[list[tuple[int, dict]]]:
    """The file's rows as groups of (line, cells), in file order; RowError when the file cannot be read."""
    groups: dict[object, list[tuple[int, dict]]] = {}
    for line, cells in read_rows(data, required):
        groups.setdefault(cells.get(key, "") if key else line, []).append((line, cells))
    return list(groups.values())


def load_group(schema: Schema, group: list[tuple[int, dict]], *, extra: Iterable[str] = (),
               fixed: Mapping | None = None) -> tuple[list[CsvRow], list[dict]]:
    """Validate a group's rows (no database): (rows, refused lines). Any refused line refuses the group."""
    rows, refused = [], []
    for line, cells in group:
        try:
            rows.append(load_row(schema, line, cells, extra=extra, fixed=fixed))
        except RowError as e:
            refused.append({"line": line, "reason": str(e)})
    return rows, refused


def save_groups(loaded: list[tuple[list[CsvRow], list[dict]]], save: Callable[[list[CsvRow]], str],
                empty: dict | None = None) -> dict:
    """Save each validated group in a savepoint of its own; a refused one is rolled back and reported.
    save(rows) names the count it adds to (the result's keys: created, updated by default)."""
    result = empty or empty_result()
    for rows, refused in loaded:
        _save_group(rows, refused, save, result)
    result["errors"].sort(key=lambda e: e["line"])
    return result


def _save_group(rows: list[CsvRow], refused: list[dict], save: Callable[[list[CsvRow]], str], result: dict) -> None:
    if refused:
        result["errors"].extend(refused)
        return
    try:
        with db.session.begin_nested():
            outcome = save(rows)
            result[outcome] = result.get(outcome, 0) + 1
    except (RowError, DomainError, ValueError) as e:  # ValueError: e.g. a case-pack count that is no number
        result["errors"].append({"line": getattr(e, "line", None) or rows[0].line, "reason": _reason(e)})


def _reason(error: Exception) -> str:
    """A refused row's reason as people read it: our messages as they are, never Python's exception text."""
    if isinstance(error, (RowError, DomainError)):
        return getattr(error, "detail", None) or str(error)
    return _("A value in this row cannot be read.")


# --- one import kind: inline for a small file, a background job in chunks for a large one ------------------

INLINE_ROWS = 1000  # up to this many rows an upload is imported in its request, as one transaction
CHUNK_ROWS = 200  # rows a job validates at a time, outside any write transaction
# A job's write transaction ends after the row that takes it past this: scans and moves wait for SQLite's
# write lock at most about this long (rows take ~1-5 ms each), and the job records its progress each time.
# bench/import_load.py, SQLite, 8 floor clients: 0.05 s → floor p99 259 ms, 563 rows/s; 0.02 s → 209 ms, 429 rows/s.
CHUNK_SECONDS = 0.02
MAX_LISTED_ERRORS = 1000  # a job's result lists this many refused lines, and counts the rest


@dataclass(frozen=True)
class CsvImport:
    """One kind of CSV import: its API schema, and saver(params) → save(rows) → "created" | "updated".

    params are what the save needs besides the file (who posts opening stock), as plain JSON values: a job
    stores them and runs later, in another process.
    """

    kind: str  # the job kind, e.g. "import_items"
    schema: Callable[[], Schema]
    saver: Callable[[dict], Callable[[list[CsvRow]], str]]
    key: str | None = None
    required: frozenset[str] = frozenset()
    extra: tuple[str, ...] = ()
    fixed: Mapping | None = None

    def __post_init__(self):
        from .jobs.services import register_kind
        register_kind(self.kind, self.run_job)

    def rows(self, data: bytes | str, params: dict) -> tuple[Schema, list[list[tuple[int, dict]]]]:
        """The schema for this file's rows, and its rows in groups (line, cells); RowError when unreadable.
        A kind whose columns depend on the file (the orders import) says so here."""
        return self.schema(), group_rows(data, self.key, self.required)

    def empty(self) -> dict:
        """The kind's result before any row: its counts at 0 and no errors."""
        return empty_result()

    def after(self, params: dict, groups: list[list[tuple[int, dict]]], result: dict) -> dict:
        """The last step of an import, in the transaction of its last rows: nothing by default."""
        return result

    def run(self, data: bytes | str, params: dict | None = None) -> dict:
        """Import the whole file in the caller's transaction; the API's ImportResult."""
        params = params or {}
        try:
            schema, groups = self.rows(data, params)
        except RowError as e:
            return unreadable(e, self.empty())
        loaded = [load_group(schema, group, extra=self.extra, fixed=self.fixed) for group in groups]
        return self.after(params, groups, save_groups(loaded, self.saver(params), self.empty()))

    def start(self, data: bytes, *, params: dict | None = None, created_by: int | None = None):
        """A small file: imported now, in the caller's transaction (→ ImportResult). A large one: a queued
        job (→ Job, flushed; enqueue it once the transaction commits)."""
        from .jobs.services import submit

        try:
            total = sum(len(group) for group in self.rows(data, params or {})[1])
        except RowError as e:
            return unreadable(e, self.empty())
        if total <= INLINE_ROWS:
            return self.run(data, params)
        data = data.encode() if isinstance(data, str) else data
        return submit(self.kind, params=params, input=data, total=total, created_by=created_by)

    def run_job(self, job_id: int) -> None:
        """The job's work: batches of about CHUNK_ROWS rows (whole groups) validated outside any write
        transaction, saved in transactions that each hold the write lock about CHUNK_SECONDS and record the
        job's progress with the rows they saved. A job resumed after a restart skips the rows its committed
        progress counts."""
        from .jobs.services import finish, get_job

        job = get_job(job_id)
        data, params, done = job.input, dict(job.params or {}), job.done
        result = job.result or self.empty()
        db.session.rollback()  # end the read: each chunk is a write transaction of its own
        try:
            schema, groups = self.rows(data, params)
        except RowError as e:
            run_in_transaction(finish, job_id, unreadable(e, self.empty()))
            return
        save = self.saver(params)
        db.session.rollback()  # the saver may read (e.g. zones): outside the chunks' write transactions
        seen, batch = 0, []
        for group in groups:
            seen += len(group)
            if seen <= done:
                continue  # saved before a restart
            batch.append(group)
            if sum(len(g) for g in batch) >= CHUNK_ROWS:
                result, done = self._save_batch(job_id, batch, schema, save, result, done)
                batch = []
        if batch:
            result, done = self._save_batch(job_id, batch, schema, save, result, done)
        run_in_transaction(lambda: finish(job_id, self.after(params, groups, result), done=done))

    def _save_batch(self, job_id, batch, schema, save, result: dict, done: int) -> tuple[dict, int]:
        """Save a batch of groups in as many short transactions as it takes; (result, rows done) after it."""
        from .jobs.services import record_progress

        loaded = [(len(group), load_group(schema, group, extra=self.extra, fixed=self.fixed)) for group in batch]
        while loaded:
            def save_some():  # rerun whole on a lock conflict: `result` is not changed in place
                deadline = time.monotonic() + CHUNK_SECONDS
                part, groups, rows = self.empty(), 0, 0
                for size, (group_rows_, refused) in loaded:
                    _save_group(group_rows_, refused, save, part)
                    groups, rows = groups + 1, rows + size
                    if groups == len(loaded) or time.monotonic() >= deadline:
                        break
                merged = merge_results(result, part)
                record_progress(job_id, done + rows, merged)
                return merged, groups, rows

            result, groups, rows = run_in_transaction(save_some)
            loaded, done = loaded[groups:], done + rows
        return result, done


def merge_results(so_far: dict, more: dict) -> dict:
    """Add a chunk's ImportResult to a job's; past MAX_LISTED_ERRORS refused lines are counted, not listed."""
    errors = sorted(so_far["errors"] + more["errors"], key=lambda e: e["line"])
    counts = {key for part in (so_far, more) for key, value in part.items()
              if isinstance(value, int) and key != "errors_not_listed"}  # created, updated (a kind's own)
    merged = {key: so_far.get(key, 0) + more.get(key, 0) for key in sorted(counts)}
    merged["errors"] = errors[:MAX_LISTED_ERRORS]
    unlisted = so_far.get("errors_not_listed", 0) + max(0, len(errors) - MAX_LISTED_ERRORS)
    if unlisted:
        merged["errors_not_listed"] = unlisted
    return merged


def import_upload(spec: CsvImport, data: bytes, *, params: dict | None = None):
    """An /api import's answer, in its request's transaction: the ImportResult of a small file, or 202 with
    the queued job (Location: /api/jobs/<id>, which gives the same ImportResult when the job is done)."""
    from flask import g, jsonify

    from .jobs.queue import enqueue_after_request
    from .jobs.schemas import JobOut
    from .jobs.services import job_out

    outcome = spec.start(data, params=params, created_by=g.get("current_user_id"))
    if isinstance(outcome, dict):
        return outcome
    enqueue_after_request(outcome.id)
    response = jsonify(JobOut().dump(job_out(outcome)))
    response.status_code = 202
    response.headers["Location"] = f"/api/jobs/{outcome.id}"
    return response
