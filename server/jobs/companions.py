"""Loops that run beside the job consumer (`flask jobs worker`), each in a daemon thread of its own: the print
worker (server/printing/worker.py) and the ABC classification schedule (server/counts/schedule.py).

Their packages register them under WORKER_COMPANIONS (server/jobs/cli.py) as f(app) context managers; this
module gives them one shape: a named thread in an app context, a stop event, and a turn that fails logged
and rolled back, the loop going on after its usual wait (a database hiccup must not end the worker).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask

from ..extensions import db


def repeat(stop: threading.Event, turn: Callable[[], object], *, every: float, log: logging.Logger,
           failure: str, release_session: bool = False) -> None:
    """Call `turn` every `every` seconds until `stop` is set; a failure is logged as `failure` on the
    caller's logger. With release_session the session (and its connection) is given back after each turn."""
    while not stop.is_set():
        try:
            turn()
        except Exception:  # a database hiccup must not end the loop
            log.exception(failure)
            db.session.rollback()
        finally:
            if release_session:
                db.session.remove()
        stop.wait(every)


@contextmanager
def companion_thread(app: Flask, name: str, loop: Callable[[threading.Event], None], *,
                     join_seconds: float) -> Iterator[threading.Thread]:
    """Run loop(stop) in a daemon thread called `name`, in an app context, while the block runs; on the way
    out set stop and wait up to join_seconds for the turn in hand to finish."""
    stop = threading.Event()

    def run():
        with app.app_context():
            loop(stop)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(join_seconds)
