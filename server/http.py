"""The HTTP layer's shared pieces: one commit per request, retry on lock conflicts, JSON helpers."""

from __future__ import annotations

import logging
import time

from flask import g
from sqlalchemy.exc import DBAPIError, OperationalError

from .db import write_intent
from .errors import ServiceBusy
from .extensions import db

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


def reject_nul_characters() -> None:
    """Refuse NUL characters in API input: PostgreSQL cannot store them in text (422, not 500).

    Called after authentication and the role check, so that the contract's 401 → 403 → 422 holds.
    """
    from flask import request

    from .errors import InvalidInput

    raw = request.get_data(cache=True) if request.mimetype == "application/json" else b""
    if any("\x00" in v for v in request.args.values()) or b"\\u0000" in raw or b"\x00" in raw:
        raise InvalidInput("The request contains a NUL character, which no barcode or field can hold.")
