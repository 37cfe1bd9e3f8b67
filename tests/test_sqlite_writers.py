"""Threaded workers on SQLite: a worker's writers queue on a process lock, never on SQLite's sleep-polling.

gunicorn's gthread workers run several requests of one process at once. SQLite admits one writer at a
time, and a writer that finds the lock taken polls for it with sleeps of up to 100 ms; the process
lock (server/db.py) makes the threads of one worker wait their turn instead, and is always released.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa


def _lock_free_for_another_thread() -> bool:
    from server.db import _sqlite_writer_lock

    result = []

    def probe():
        got = _sqlite_writer_lock.acquire(blocking=False)
        if got:
            _sqlite_writer_lock.release()
        result.append(got)

    t = threading.Thread(target=probe)
    t.start()
    t.join(5)
    return result[0]


def _write_a_zone(name: str):
    from server.inventory.locations import get_or_create_zone
    get_or_create_zone(name)
    return _lock_free_for_another_thread()


def test_a_sqlite_write_transaction_holds_the_worker_lock_until_it_ends(app, backend):
    from server.http import run_in_transaction

    free_inside = run_in_transaction(_write_a_zone, "Z1")
    assert free_inside is (backend != "sqlite")  # PostgreSQL writers run side by side
    assert _lock_free_for_another_thread()


def test_the_worker_lock_is_released_when_the_write_fails(app):
    from server.http import run_in_transaction

    def fail():
        _write_a_zone("Z2")
        raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        run_in_transaction(fail)
    assert _lock_free_for_another_thread()


def test_reads_do_not_take_the_worker_lock(app, db):
    import sqlalchemy as sa

    db.session.execute(sa.text("SELECT 1"))
    assert _lock_free_for_another_thread()
    db.session.rollback()


def _file_lock_free() -> bool:
    """Could another worker (another open file description of the lock file) take the writer lock now?"""
    import fcntl
    import os

    from server.extensions import db

    fd = os.open(f"{db.engine.url.database}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing drops a lock we took
    return True


@pytest.mark.parametrize("deferred", [False, True])
def test_a_sqlite_write_holds_the_file_lock_other_workers_wait_on_then_releases_it(app, deferred):
    """Workers are processes: they queue on an flock beside the database, not on SQLite's sleep-polling.

    A deferred write (moves) takes it only when it claims the write lock, not while it reads."""
    from server.db import claim_write_lock
    from server.extensions import db
    from server.http import run_in_transaction
    from server.inventory.locations import get_or_create_zone

    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL writers lock rows, not the database")
    seen = {}

    def write():
        db.session.execute(sa.text("SELECT 1"))
        seen["while reading"] = _file_lock_free()
        claim_write_lock(db.session)
        get_or_create_zone("Z9")
        seen["while writing"] = _file_lock_free()

    run_in_transaction(write, deferred_lock=deferred)
    assert seen == {"while reading": deferred, "while writing": False}
    assert _file_lock_free()
