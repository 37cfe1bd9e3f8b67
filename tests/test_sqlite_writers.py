"""Threaded workers on SQLite: a worker's writers queue on a process lock, never on SQLite's sleep-polling.

gunicorn's gthread workers run several requests of one process at once. SQLite admits one writer at a
time, and a writer that finds the lock taken polls for it with sleeps of up to 100 ms; the process
lock (server/db.py) makes the threads of one worker wait their turn instead, and is always released.
"""

from __future__ import annotations

import threading

import pytest


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
