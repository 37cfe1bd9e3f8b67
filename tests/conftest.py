"""Shared fixtures: every database test runs on SQLite and on a throwaway PostgreSQL.

Each test gets a fresh, migrated, committed database (a copied SQLite file, or a PostgreSQL database
cloned from a migrated template), so services, HTTP calls, threads and subprocesses all see the same
real database, and nothing leaks between tests.
"""

from __future__ import annotations

import itertools
import os
import shutil
import threading
from pathlib import Path

import pytest
from flask import g

from tests import pg
from tests.helpers import ApiClient, make_token, make_user

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
BACKENDS = ["sqlite", "postgresql"]
_counter = itertools.count()


def pytest_addoption(parser):
    parser.addoption("--backend", action="append", choices=BACKENDS,
                     help="run database tests on this backend only (default: both)")


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("--backend") or BACKENDS
        # A browser test drives the page; the API under it is tested on both backends by the API tests.
        # So browser tests run on SQLite only (half the suite's time), except those marked
        # both_backends, which check what lands in the database after a flow (offline replay, receiving).
        if "page" in metafunc.fixturenames and not metafunc.definition.get_closest_marker("both_backends"):
            chosen = [b for b in chosen if b == "sqlite"] or chosen
        metafunc.parametrize("backend", chosen, scope="session")


@pytest.fixture(scope="session")
def pg_server():
    """One throwaway PostgreSQL cluster on a loopback port for the whole run."""
    with pg.throwaway_cluster() as server:
        yield server


@pytest.fixture(scope="session")
def template_db(backend, tmp_path_factory, request):
    """A database migrated to head once per backend; each test clones it."""
    from server import create_app
    from server.testing import TestConfig
    from flask_migrate import upgrade

    if backend == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "template.db"
        url = f"sqlite:///{path}"
    else:
        server = request.getfixturevalue("pg_server")
        url = server.create_database("tmpl")
    app = create_app(TestConfig(url))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        from server.extensions import db
        db.engine.dispose()
    return {"backend": backend, "url": url, "path": path if backend == "sqlite" else None}


@pytest.fixture
def database_url(template_db, tmp_path, request):
    """A fresh database for this test, cloned from the migrated template."""
    n = next(_counter)
    if template_db["backend"] == "sqlite":
        target = tmp_path / f"t{n}.db"
        shutil.copyfile(template_db["path"], target)
        yield f"sqlite:///{target}"
    else:
        server = request.getfixturevalue("pg_server")
        url = server.create_database(f"t{n}", template="tmpl")
        yield url
        server.drop_database(f"t{n}")


@pytest.fixture
def app(database_url):
    from server import create_app
    from server.testing import TestConfig

    app = create_app(TestConfig(database_url))

    @app.teardown_request
    def _forget_request_globals(_exc):
        # The fixture keeps one app context open, so `g` would outlive each test request (a signed-in
        # user, Flask-WTF's CSRF token). Real requests each get a fresh `g`: so must test requests.
        g.__dict__.clear()

    with app.app_context():
        yield app
        from server.extensions import db
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def db(app):
    from server.extensions import db
    return db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def users(app):
    """One user per role, created in their own committed transaction."""
    from server.http import run_in_transaction
    return run_in_transaction(lambda: {role: make_user(role) for role in
                                       ("picker", "packer", "receiver", "supervisor", "admin")})


@pytest.fixture
def api(client, users):
    """api(role) → a client that sends that role's bearer token."""
    tokens = {}

    def for_role(role: str = "supervisor") -> ApiClient:
        if role not in tokens:
            tokens[role] = make_token(users[role])
        return ApiClient(client, tokens[role])

    return for_role


@pytest.fixture
def live_server(app):
    """The app served by a real threaded HTTP server on a loopback port."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def shared_dir():
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the project")
    return SHARED


# --- Playwright with Debian's Chromium (ci-recipes.md §2) ------------------------------------------
CHROMIUM = os.environ.get("SHIPFLOOR_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: the test command installs Debian's chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--no-first-run", "--disable-quic"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 360, "height": 640}}
