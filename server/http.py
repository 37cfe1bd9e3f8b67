"""The HTTP layer's shared pieces: one commit per request, retry on lock conflicts, JSON helpers."""

from __future__ import annotations

import json
import logging
import re
import time

from flask import g, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, OperationalError

from .db import write_intent
from .errors import BadRequest, InvalidInput, NotFound, ServiceBusy
from .extensions import db
from .schemas import CONTROL_CHARACTERS, MAX_DEVICE_ID

log = logging.getLogger(__name__)

RETRIES = 4


def is_retryable(exc: Exception) -> bool:
    """Deadlocks, serialization failures, lock timeouts and SQLite's "database is locked"."""
    if isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower():
        return True
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return isinstance(exc, DBAPIError) and sqlstate in {"40001", "40P01", "55P03"}


def run_in_transaction(fn, *args, deferred_lock: bool = False, **kwargs):
    """Run fn as one write transaction: commit on success, roll back on error, retry lock conflicts.

    deferred_lock: fn reads first and takes the write lock through db.claim_write_lock (server/db.py).
    """
    for attempt in range(RETRIES + 1):
        try:
            with write_intent(deferred=deferred_lock):
                db.session.rollback()  # start clean: the write transaction must begin IMMEDIATE
                result = fn(*args, **kwargs)
                db.session.commit()
                return result
        except DBAPIError as exc:
            db.session.rollback()
            if not is_retryable(exc):
                raise
            if attempt == RETRIES:
                log.warning("giving up after %d lock conflicts: %s", RETRIES, exc)
                raise ServiceBusy("The system is busy with other scans. Try again in a moment.") from exc
            time.sleep(0.01 * 2 ** attempt)
        except Exception:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")


def current_user():
    return g.get("current_user")


# NUL (PostgreSQL's text cannot hold it) and lone UTF-16 surrogates ("\ud800": no encoding can store one).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# No request of this API nests deeper than a few levels; a deep body is refused before anything walks it.
MAX_JSON_DEPTH = 16


def refuse_unsafe_input() -> None:
    """Refuse what no column can store or no parser should walk, naming where it is, before the schemas read
    the request: NUL or a lone surrogate in a path segment (404), a query value or a JSON string (422); an
    X-Device-Id longer than its column or with control characters (422); a body nested too deeply (400).

    Called after authentication and the role check, so that the contract's 401 → 403 → 422 holds.
    """
    _refuse_unstorable_values(request.args)
    device = request.headers.get("X-Device-Id")
    if device is not None and (len(device) > MAX_DEVICE_ID or CONTROL_CHARACTERS.search(device)):
        raise InvalidInput(_("X-Device-Id is at most %(max)d characters, none of them control characters.",
                             max=MAX_DEVICE_ID), field="X-Device-Id")
    if request.is_json:
        _check_json_body(request.get_data(cache=True))


def refuse_unsafe_page_input() -> None:
    """The pages' share of refuse_unsafe_input: NUL or a lone surrogate in an address (404), a query or a form
    value (422) never reaches a query or a column (PostgreSQL refuses NUL in text with a 500)."""
    _refuse_unstorable_values(request.args, request.form)


def _refuse_unstorable_values(*value_sets) -> None:
    """The path segments (404) and the given query or form values (422): none may hold NUL or a lone surrogate."""
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str) and _UNSTORABLE.search(value):  # no code has one: nothing is there
            raise NotFound(_("Nothing has a %(field)s with a NUL or broken character.", field=name), field=name)
    for values in value_sets:
        for name, value in values.items(multi=True):
            if _UNSTORABLE.search(value):
                _refuse_unstorable(name, value)


def _refuse_unstorable(field: str, value: str):
    if "\x00" in value:
        raise InvalidInput(_("%(field)s contains a NUL character, which no field can hold.", field=field),
                           field=field)
    raise InvalidInput(_("%(field)s contains a broken character (a lone UTF-16 surrogate).", field=field),
                       field=field)


def _check_json_body(raw: bytes) -> None:
    # Raw UTF-8 cannot encode a surrogate and a raw NUL is not valid JSON: both only come as \u escapes. And a
    # body with few brackets cannot nest deeply. So most bodies (a scan, a move) are not parsed twice.
    if b"\\u" not in raw and raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH:
        return
    try:
        data = json.loads(raw)
    except RecursionError:
        raise BadRequest(_("The JSON body is nested too deeply.")) from None
    except ValueError:
        return  # not JSON at all: the schema's parser answers 400
    stack = [(data, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, str):
            if _UNSTORABLE.search(node):
                _refuse_unstorable(path or "body", node)
            continue
        if not isinstance(node, (dict, list)):
            continue
        if depth == MAX_JSON_DEPTH:
            raise BadRequest(_("The JSON body is nested more than %(max)d levels deep.", max=MAX_JSON_DEPTH))
        for key, value in node.items() if isinstance(node, dict) else enumerate(node):
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _UNSTORABLE.search(key):
                _refuse_unstorable(path or "body", key)
            stack.append((value, where, depth + 1))
