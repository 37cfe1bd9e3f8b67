"""Storage faults: a database that cannot store anything (disk full, read-only) answers 503, not 500.

A full disk or a read-only database is nothing a retry in the next millisecond fixes and nothing the
floor worker did wrong: the answer is 503 with Retry-After (the handheld keeps the scan queued and
sends it again) and a sentence that says whom to tell. /healthz reports the same (health.py), cheaply:
- a database set read-only is seen by the query /healthz runs anyway (SQLite's query_only pragma,
  PostgreSQL's transaction_read_only setting), and a SQLite file on a full or read-only file system
  by os.statvfs/os.access, which cost microseconds;
- a full PostgreSQL disk cannot be seen from here without writing, so the last storage fault any
  request of this process met is remembered for FAULT_MEMORY_S seconds (until a write commits).
"""

from __future__ import annotations

import os
import threading
import time

from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from .errors import DomainError

FULL, READ_ONLY = "full", "read_only"
_SQLITE_FULL, _SQLITE_READONLY, _SQLITE_CANTOPEN = 13, 8, 14  # primary codes; extended ones add bits above 0xff
_PG_DISK_FULL, _PG_READ_ONLY_TRANSACTION = "53100", "25006"
RETRY_AFTER_S = 30
# A fault is reported by /healthz this long after a request last met it (or until a write commits).
FAULT_MEMORY_S = 30.0
# A SQLite file system with less free space than this is full: the next transaction's log may not fit.
MIN_FREE_BYTES = 1 << 20


class StorageFault(DomainError):
    status, title = 503, "Cannot store"

    def __init__(self, reason: str):
        self.reason = reason
        self.code = f"storage_{reason}"
        detail = (_("The database cannot store anything: the disk is full. Tell your supervisor.")
                  if reason == FULL else
                  _("The database cannot store anything: it is read-only. Tell your supervisor."))
        super().__init__(detail, headers={"Retry-After": str(RETRY_AFTER_S)})


def fault_reason(exc: BaseException, database_path: str | None = None) -> str | None:
    """FULL or READ_ONLY when the database refused a write for lack of space or write access.

    database_path: the SQLite file. On a read-only file system SQLite cannot even open a WAL database
    ("unable to open database file"): that is a read-only database when the file system says so.
    """
    if not isinstance(exc, DBAPIError):
        return None
    orig = exc.orig
    sqlite_code = getattr(orig, "sqlite_errorcode", None)
    if sqlite_code is not None:
        if sqlite_code & 0xFF == _SQLITE_CANTOPEN:
            return READ_ONLY if sqlite_file_fault(database_path) == READ_ONLY else None
        return {_SQLITE_FULL: FULL, _SQLITE_READONLY: READ_ONLY}.get(sqlite_code & 0xFF)
    return {_PG_DISK_FULL: FULL, _PG_READ_ONLY_TRANSACTION: READ_ONLY}.get(getattr(orig, "sqlstate", None))


# --- What this process last met: (reason, monotonic time), or None -------------------------------
_last_fault: list = [None]
_lock = threading.Lock()


def remember(reason: str) -> None:
    with _lock:
        _last_fault[0] = (reason, time.monotonic())


def recent_fault() -> str | None:
    seen = _last_fault[0]
    if seen is None or time.monotonic() - seen[1] > FAULT_MEMORY_S:
        return None
    return seen[0]


@event.listens_for(Engine, "commit")
def _a_commit_clears_the_fault(conn):
    # A write got through (or is about to): storage works again. One attribute test per commit.
    if _last_fault[0] is not None:
        _last_fault[0] = None


# --- /healthz's checks ------------------------------------------------------------------------
# One statement, in place of a plain SELECT 1: the database answers, and says whether it is read-only.
READ_ONLY_QUERY = {
    "sqlite": "PRAGMA query_only",
    "postgresql": "SELECT current_setting('transaction_read_only') = 'on'",
}


def sqlite_file_fault(database_path: str | None) -> str | None:
    """FULL or READ_ONLY for a SQLite file whose file system is full or cannot be written."""
    if not database_path or database_path == ":memory:" or database_path.startswith("file:"):
        return None
    folder = os.path.dirname(os.path.abspath(database_path))
    try:
        stats = os.statvfs(folder)
    except OSError:
        return None  # the query has answered; a file system we cannot ask is not a fault to report
    if stats.f_flag & os.ST_RDONLY or not os.access(database_path, os.W_OK):
        return READ_ONLY
    if stats.f_bavail * stats.f_frsize < MIN_FREE_BYTES:
        return FULL
    return None
