"""Fixtures for the supervisor pages: signed-in clients, and a small stocked floor."""

from __future__ import annotations

import pytest

from tests.supervisor import floor as stock_floor
from tests.supervisor.web import login


def _signed_in(app, user):
    client = app.test_client()
    r = login(client, user.username)
    assert r.status_code == 302, r.text
    return client


@pytest.fixture
def supervisor(app, users):
    """A test client signed in to the supervisor pages as the supervisor."""
    return _signed_in(app, users["supervisor"])


@pytest.fixture
def admin(app, users):
    """A test client signed in to the supervisor pages as the admin."""
    return _signed_in(app, users["admin"])


@pytest.fixture
def floor_plan():
    """`floor` here is the small stocked floor of tests/supervisor/floor.py ({"actor": its receiver})."""
    return stock_floor.PLAN
