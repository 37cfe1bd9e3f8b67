"""Schemas and input rules shared by several domains."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

from apiflask import Schema
from apiflask.fields import File, Integer, List, Nested, String
from apiflask.validators import FileSize, Length, Range
from flask_babel import lazy_gettext
from marshmallow import ValidationError, fields

from .errors import InvalidInput

# Every integer the API stores fits a 32-bit column (PostgreSQL's INTEGER): larger input is a 422, not a 500.
# C0 and C1 control characters (CR/LF, NUL, DEL...): never part of a device id or a redirect target.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f]")
MAX_DEVICE_ID = 64  # the device_id columns
# A device id as badge login stores it and every later X-Device-Id header must match (server/http.py).
def no_control_characters(value: str) -> None:
    if CONTROL_CHARACTERS.search(value):
        raise ValidationError("No control characters.")


DEVICE_ID_RULES = (Length(8, MAX_DEVICE_ID), no_control_characters)

INT_MAX = 2**31 - 1

# The most units one movement, receipt line, adjustment or case pack may carry: far above any real pallet, far
# below what the database's integer columns hold (a 2^62 receipt once filled a bin for good). Shared plumbing, so
# that the catalogue (case packs) and inventory (the ledger) use one bound without depending on each other.
MAX_QTY = 1_000_000

# Times the API accepts: with an offset, and inside years no floor event falls outside of. A naive time is
# refused rather than guessed (CONTRACT.md: times are ISO 8601 with offset); the calendar's edges (year 1,
# 9999) would overflow when converted to UTC, and no database stores year 10000.
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(3000, 1, 1, tzinfo=timezone.utc)


def in_calendar(day: date) -> bool:
    """Whether a day (an expiry, a filter's first or last day) falls in the years Instant accepts."""
    return EARLIEST.year <= day.year < LATEST.year


class Instant(fields.AwareDateTime):
    """An ISO 8601 time with an offset, between EARLIEST and LATEST, handed on in UTC."""

    default_error_messages = {
        "invalid": lazy_gettext("Not a valid ISO 8601 time, such as 2026-05-01T10:00:00+02:00."),
        "invalid_awareness": lazy_gettext("The time needs a time zone offset, such as +02:00 or Z."),
        "out_of_range": lazy_gettext("The time must fall between 1970 and 2999."),
    }

    def make_error(self, key: str, **kwargs) -> ValidationError:
        return ValidationError(str(self.error_messages[key]))  # the message in the request's language

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            in_utc = moment.astimezone(timezone.utc)
        except OverflowError:  # year 1 with a positive offset, year 9999 with a negative one
            raise self.make_error("out_of_range") from None
        if not EARLIEST <= in_utc < LATEST:
            raise self.make_error("out_of_range")
        return in_utc


def parse_instant(raw: str, *, field: str) -> datetime:
    """A time sent outside a JSON body (a header), read by the same rule as Instant fields: 422 naming it."""
    try:
        return Instant().deserialize(raw)
    except ValidationError as err:
        raise InvalidInput(f"{field}: {' '.join(map(str, err.messages))}", field=field) from None


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
