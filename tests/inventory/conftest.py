"""Fixtures of the inventory tests: a real gunicorn server over the test's database."""

from __future__ import annotations

import pytest

from tests.inventory.live import Gunicorn


@pytest.fixture
def gunicorn(database_url, tmp_path):
    """gunicorn(**env) → a started Gunicorn (4 workers x 4 threads) on this test's database; stopped after."""
    started: list[Gunicorn] = []

    def start(*, workers: int = 4, threads: int = 4, **env: str) -> Gunicorn:
        server = Gunicorn(database_url, tmp_path, workers=workers, threads=threads, **env)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()
