"""Small helpers for the go-live CSV imports: read rows with line numbers, parse typed cells."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask_babel import gettext as _

TRUE = {"1", "true", "yes", "y", "x"}
FALSE = {"", "0", "false", "no", "n"}


class RowError(ValueError):
    """A bad cell; the import reports it with the file's line number and goes on with other rows."""


def read_rows(data: bytes | str, required: set[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number as in the file, header = line 1, row) with trimmed, lower-cased keys."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise RowError(_("The file is not UTF-8 text: save it as CSV (UTF-8).")) from None
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel  # one column, or an odd file: read it as plain CSV and report its rows
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    try:
        header = {(h or "").strip().lower() for h in reader.fieldnames or []}
    except csv.Error as e:
        raise RowError(_("The file cannot be read as CSV: %(e)s", e=e)) from None
    missing = required - header
    if missing:
        raise RowError(_("The file lacks the column(s): %(cols)s.", cols=", ".join(sorted(missing))))
    try:
        for row in reader:
            clean = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()
                     if k is not None and isinstance(v, str | None)}
            if any(clean.values()):
                yield reader.line_num, clean
    except csv.Error as e:
        raise RowError(_("The file cannot be read as CSV near line %(n)d: %(e)s", n=reader.line_num, e=e)) from None


def cell_int(row: dict, key: str, *, minimum: int | None = 0) -> int | None:
    value = row.get(key, "")
    if value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise RowError(_("%(col)s must be a whole number, not %(v)s.", col=key, v=value)) from None
    if minimum is not None and number < minimum:
        raise RowError(_("%(col)s must be at least %(min)d.", col=key, min=minimum))
    return number


def cell_float(row: dict, key: str) -> float | None:
    value = row.get(key, "")
    if value == "":
        return None
    try:
        return float(value)
    except ValueError:
        raise RowError(_("%(col)s must be a number, not %(v)s.", col=key, v=value)) from None


def cell_bool(row: dict, key: str, default: bool) -> bool:
    value = row.get(key, "").lower()
    if key not in row or value == "" :
        return default
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise RowError(_("%(col)s must be yes or no, not %(v)s.", col=key, v=value))
