"""Schemas shared by several domains."""

from apiflask import Schema
from apiflask.fields import File, Integer, List, Nested, String
from apiflask.validators import FileSize, Length, Range


class PageQuery(Schema):
    q = String(load_default=None, validate=Length(max=100))
    limit = Integer(load_default=50, validate=Range(1, 500))
    offset = Integer(load_default=0, validate=Range(0))


class CsvUpload(Schema):
    file = File(required=True, validate=FileSize(max="20 MiB"))


class ImportError_(Schema):
    line = Integer()
    reason = String()


class ImportResult(Schema):
    created = Integer()
    updated = Integer()
    errors = List(Nested(ImportError_))
