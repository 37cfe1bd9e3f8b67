"""Schemas shared by several domains."""

from apiflask import Schema
from apiflask.fields import File, Integer, List, Nested, String
from apiflask.validators import FileSize, Length, Range


# Every integer the API stores fits a 32-bit column (PostgreSQL's INTEGER): larger input is a 422, not a 500.
INT_MAX = 2**31 - 1


def whole(minimum: int = 0, **kwargs) -> Range:
    """A range for a stored whole number: at least `minimum`, at most what its column holds."""
    return Range(minimum, INT_MAX, **kwargs)


class PageQuery(Schema):
    q = String(load_default=None, validate=Length(max=100))
    limit = Integer(load_default=50, validate=Range(1, 500))
    offset = Integer(load_default=0, validate=whole())


class CsvUpload(Schema):
    file = File(required=True, validate=FileSize(max="20 MiB"))


class ImportError_(Schema):
    line = Integer()
    reason = String()


class ImportResult(Schema):
    created = Integer()
    updated = Integer()
    errors = List(Nested(ImportError_))
