"""The loops beside the job consumer (server/jobs/companions.py): a failed turn is logged on its owner's logger
and the loop goes on; the thread runs in an app context and stops when the consumer's block ends."""

from __future__ import annotations

import logging
import threading

from flask import current_app


def test_a_failed_turn_is_logged_on_the_owners_logger_and_the_loop_goes_on(app, caplog):
    from server.jobs.companions import repeat

    stop, turns = threading.Event(), []

    def turn():
        turns.append(len(turns) + 1)
        if len(turns) == 1:
            raise RuntimeError("database hiccup")
        stop.set()

    with app.app_context(), caplog.at_level(logging.ERROR, logger="tests.companion"):
        repeat(stop, turn, every=0, log=logging.getLogger("tests.companion"), failure="turn failed")
    assert turns == [1, 2]
    assert [(r.name, r.getMessage(), r.exc_info[0]) for r in caplog.records] == [
        ("tests.companion", "turn failed", RuntimeError)]


def test_a_companion_runs_in_a_named_thread_with_an_app_context_until_the_block_ends(app):
    from server.jobs.companions import companion_thread

    running, seen = threading.Event(), {}

    def loop(stop: threading.Event):
        seen.update(app=current_app._get_current_object(), thread=threading.current_thread())
        running.set()
        stop.wait()

    with companion_thread(app, "test-companion", loop, join_seconds=10) as thread:
        assert running.wait(10)
        assert (thread.name, thread.daemon) == ("test-companion", True)
    assert seen == {"app": app, "thread": thread}
    assert not thread.is_alive()
