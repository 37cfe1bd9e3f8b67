"""Declarative base, column types and the SQLite/PostgreSQL connection settings."""

from __future__ import annotations

import contextlib
import contextvars
import fcntl
import os
import threading
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def enum_column(enum_class, length: int = 16) -> sa.Enum:
    """A string enum stored by its value in a plain VARCHAR (no native ENUM type: a new member needs no
    ALTER TYPE, and SQLite and PostgreSQL store it alike)."""
    return sa.Enum(enum_class, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class UTCDateTime(sa.types.TypeDecorator):
    """Stores UTC and always hands back an aware datetime (SQLite forgets the offset)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use server.db.utcnow()")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


# --- SQLite: WAL, foreign keys, busy timeout, and BEGIN IMMEDIATE for write transactions -----------
# A deferred transaction that reads and then writes can fail with "database is locked" when another
# writer got in between; taking the write lock up front (BEGIN IMMEDIATE) serialises writers instead.
# Reads keep plain BEGIN so that scans and lookups never wait behind writers (WAL lets them run).
_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("sqlite_write_intent", default=False)

# Writers waiting for SQLite's write lock poll it with sleeps (the busy handler: 1, 2, 5 ... 100 ms), which
# stretches tail latency and leaves the lock idle while every waiter sleeps. So a write transaction first
# takes writer locks of our own: a per-process lock for the threads of one worker, then an flock on a file
# beside the database for the other workers; the kernel wakes the next writer the moment one ends.
# Measured (bench/movements.py, 8 clients): p99 of a move 136 → 55 ms, moves/s 326 → 349.
_sqlite_writer_lock = threading.RLock()  # re-entrant: a nested write block must not wait for itself
_WRITER_LOCK_WAIT_S = 10  # as busy_timeout: past it, go on and let SQLite report "locked" (retried)
_holds_writer_lock: contextvars.ContextVar[list | None] = contextvars.ContextVar("sqlite_writer_lock",
                                                                               default=None)


# A write whose first part only reads (the Idempotency-Key, the item, the locations) can ask for its
# write lock late: those reads run outside a transaction and claim_write_lock() begins the write
# transaction just before the ledger reads the balances it will change. On SQLite, which admits one writer at
# a time, the lock is then held for the ledger's statements and the commit, not the whole request.
# Only for writes whose every read-then-write goes through a claim (the ledger's): a value read before
# the claim may be stale after it.
_deferred_write: contextvars.ContextVar[dict | None] = contextvars.ContextVar("sqlite_deferred_write",
                                                                               default=None)


@contextlib.contextmanager
def write_intent(*, deferred: bool = False):
    """Mark transactions begun inside this block as writes (BEGIN IMMEDIATE on SQLite).

    deferred: begin as a read; claim_write_lock() takes the write lock later (see above).
    """
    token = _write_intent.set(True)
    deferred_token = _deferred_write.set({"claimed": False} if deferred else None)
    held: list = []  # the writer lock, once a SQLite write transaction in this block has taken it
    lock_token = _holds_writer_lock.set(held)
    try:
        yield
    finally:
        _holds_writer_lock.reset(lock_token)
        _deferred_write.reset(deferred_token)
        _write_intent.reset(token)
        if held:
            if held[0] is not None:
                fcntl.flock(held[0], fcntl.LOCK_UN)
            _sqlite_writer_lock.release()


def claim_write_lock(session) -> None:
    """From here on this transaction writes: on SQLite, in a deferred write, take the write lock now.

    The reads before it ran outside a transaction (each its own snapshot, no BEGIN); BEGIN IMMEDIATE now
    starts the write transaction: rows read after this are current and stay so until the commit. A no-op
    anywhere else.
    """
    state = _deferred_write.get()
    if state is None or state["claimed"]:
        return
    state["claimed"] = True
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        return
    if conn.connection.dbapi_connection.in_transaction:
        # Already inside a transaction begun by its owner: the tests' rolled-back tier (tests/conftest.py,
        # `tx`) runs every write as a savepoint of one open transaction; there is nothing to begin.
        return
    _take_writer_lock(conn)
    conn.exec_driver_sql("BEGIN IMMEDIATE")


_writer_lock_files: dict[tuple[int, str], int] = {}  # (pid, database path) → this process's lock file
_WRITER_LOCK_FILES_KEPT = 8


def _writer_lock_file(conn) -> int | None:
    """This process's lock file beside the SQLite database (opened per process: flock is per open file)."""
    path = conn.engine.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    key = (os.getpid(), path)
    if key not in _writer_lock_files:
        try:
            _writer_lock_files[key] = os.open(f"{path}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return None  # a read-only folder: SQLite's own locking still holds
        while len(_writer_lock_files) > _WRITER_LOCK_FILES_KEPT:  # a process that saw many databases (tests)
            os.close(_writer_lock_files.pop(next(iter(_writer_lock_files))))
    return _writer_lock_files[key]


def _take_writer_lock(conn) -> None:
    held = _holds_writer_lock.get()
    if held is None or held:
        return
    if not _sqlite_writer_lock.acquire(timeout=_WRITER_LOCK_WAIT_S):
        return
    fd = _writer_lock_file(conn)
    if fd is not None:
        # Other workers wait here, woken by the kernel the moment this writer ends, instead of polling
        # SQLite's lock with sleeps that leave it idle. A writer stuck past gunicorn's worker timeout is
        # killed, and its lock goes with it.
        fcntl.flock(fd, fcntl.LOCK_EX)
    held.append(fd)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute(f"PRAGMA synchronous={_sqlite_synchronous}")
    cur.close()
    connection_record.info["sqlite_synchronous"] = _sqlite_synchronous


_sqlite_synchronous = "FULL"


def set_sqlite_synchronous(level: str) -> None:
    global _sqlite_synchronous
    if level.upper() not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise ValueError(f"bad SQLite synchronous level {level!r}")
    _sqlite_synchronous = level.upper()


_relaxed_durability: contextvars.ContextVar[bool] = contextvars.ContextVar("relaxed_durability", default=False)


@contextlib.contextmanager
def relaxed_durability():
    """Commits begun here may be lost on power loss, never half-written: for logs, never the ledger.

    SQLite in WAL mode with synchronous=NORMAL (PostgreSQL: synchronous_commit=off) skips the fsync
    of this commit; the next durable commit or checkpoint writes it out. Application crashes lose
    nothing either way.
    """
    token = _relaxed_durability.set(True)
    try:
        yield
    finally:
        _relaxed_durability.reset(token)


_single_statement: contextvars.ContextVar[bool] = contextvars.ContextVar("single_statement", default=False)


@contextlib.contextmanager
def single_statement():
    """Transactions begun here hold exactly one statement (e.g. a log INSERT): on SQLite no BEGIN.

    SQLite runs a statement outside BEGIN as its own atomic transaction, so the BEGIN would only add a
    statement, and the write lock is held just while the statement runs. Never put two statements in
    such a transaction: each would commit on its own. PostgreSQL always opens a transaction: no change.
    """
    token = _single_statement.set(True)
    try:
        yield
    finally:
        _single_statement.reset(token)


@event.listens_for(Engine, "begin")
def _on_begin(conn):
    relaxed = _relaxed_durability.get()
    if conn.dialect.name == "sqlite":
        writing = _write_intent.get()
        # Only a write transaction sets the level: a read commits nothing, and leaving the level alone
        # there spares a PRAGMA whenever relaxed log writes and durable ledger writes alternate.
        # Every commit of the app goes through run_in_transaction, i.e. write_intent.
        want = "NORMAL" if relaxed else _sqlite_synchronous
        deferred = writing and _deferred_write.get() is not None
        if writing and not deferred:
            _take_writer_lock(conn)
        if writing and conn.info.get("sqlite_synchronous") != want:  # refused inside a transaction
            conn.exec_driver_sql(f"PRAGMA synchronous={want}")
            conn.info["sqlite_synchronous"] = want
        # No BEGIN for one statement, nor for the reads of a deferred write (claim_write_lock begins it).
        if not _single_statement.get() and not deferred:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")
    elif relaxed and conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
