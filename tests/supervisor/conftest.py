"""Fixtures for the supervisor pages: clients already signed in as a supervisor or an admin."""

from __future__ import annotations

import pytest
from flask import g

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


@pytest.fixture(autouse=True)
def _fresh_csrf_token_per_request(request):
    """Let each test-client request make its own CSRF token, as each real request does.

    The `app` fixture keeps one app context open for the whole test, so `g` outlives requests; Flask-WTF
    caches the token in `g`, and a second client (or a session cleared by sign-out) would get a stale one.
    """
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")

    @app.teardown_request
    def _forget_token(_exc):
        g.pop(app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
