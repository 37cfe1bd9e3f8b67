"""Shared fixtures: every database test runs on SQLite and on a throwaway PostgreSQL, in one of two tiers.

The fresh-database tier (the default): each test gets a fresh, migrated, committed database (a copied
SQLite file, or a PostgreSQL database cloned from a migrated template), so services, HTTP calls, threads
and subprocesses all see the same real database, and nothing leaks between tests. For the HTTP contract,
races, crashes, migrations, live servers and browsers.

The rolled-back tier (`tx`, or `pytestmark = pytest.mark.rollback` for a module whose tests use `app`,
`client`, `users`, `api`, `floor`): one migrated database per backend for the whole run; each test runs
inside a transaction on it that is rolled back at the end, its commits being savepoints (SQLAlchemy's
join_transaction_mode="create_savepoint"). No database to clone, no app to build: for the rules of the
services and the ledger. Only for tests on this thread: a second connection would wait on the open
transaction (SQLite's write lock) or not see it (PostgreSQL).
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
from tests import factories
from tests.factories import make_token, make_user
from tests.helpers import ApiClient, cheap_hash_secret

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


def pytest_configure(config):
    _share_url_builders()


def _share_url_builders() -> None:
    """Compile each URL rule's builders once per run, not once per app (test-only speed-up).

    Every test builds an app, and werkzeug compiles two Python functions per URL rule of each new app:
    ~30 ms of every test. The compiled code depends only on the rule, its defaults and whether unknown
    arguments are appended (werkzeug/routing/rules.py, Rule._compile_builder); it takes the rule as its
    first argument, so one function serves every app's copy of that rule.
    """
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    if getattr(compile_builder, "shared", False):
        return
    compiled: dict = {}

    def shared_builder(self, append_unknown: bool = True):
        key = (self.rule, tuple(self._trace), append_unknown, repr(sorted((self.defaults or {}).items())))
        if key not in compiled:
            compiled[key] = compile_builder(self, append_unknown)
        return compiled[key]

    shared_builder.shared = True
    Rule._compile_builder = shared_builder


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)  # `-m "not browser"` leaves Chromium out


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


class ScratchDatabase:
    """A PostgreSQL database put back to the migrated template's content before each test that uses it.

    Cloning the template costs ~0.15 s a test on an idle 2-core machine (and >0.5 s on a busy one); this
    costs one round trip: as superuser, with foreign-key triggers off (session_replication_role), it
    empties every table, copies back the rows the migrations seeded (kept in a schema `pristine`), sets
    every sequence back and ends any connection left over from the previous test. If that fails (a test
    changed the schema and left it broken), the database is cloned again.
    """

    def __init__(self, server, name: str = "scratch"):
        self.server, self.name, self.conn = server, name, None
        self._clone()

    def _clone(self) -> None:
        import psycopg

        if self.conn is not None:
            self.conn.close()
        self.url = self.server.create_database(self.name, template="tmpl")
        self.conn = psycopg.connect(host=self.server.admin_host, port=self.server.port, user="postgres",
                                    password=pg.PASSWORD, dbname=self.name, autocommit=True)
        run = self.conn.execute
        run("SET session_replication_role = replica")
        tables = [t for (t,) in run("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                    "AND tablename <> 'alembic_version' ORDER BY tablename")]
        seeded = [t for t in tables if run(f'SELECT EXISTS (SELECT FROM public."{t}")').fetchone()[0]]
        run("CREATE SCHEMA pristine")
        for t in seeded:
            run(f'CREATE TABLE pristine."{t}" AS TABLE public."{t}"')
        sequences = run("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'").fetchall()
        self.reset_sql = ";\n".join([
            "BEGIN",
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{self.name}' "
            "AND pid <> pg_backend_pid()",
            *(f'DELETE FROM public."{t}"' for t in tables),
            *(f'INSERT INTO public."{t}" SELECT * FROM pristine."{t}"' for t in seeded),
            *(f"SELECT setval('public.\"{seq}\"', {last or 1}, {'true' if last else 'false'})"
              for seq, last in sequences),
            "COMMIT"])

    def reset(self) -> str:
        import psycopg
        try:
            self.conn.execute(self.reset_sql)
        except psycopg.Error:
            self._clone()
        return self.url


@pytest.fixture(scope="session")
def scratch_pg(pg_server, template_db):
    return ScratchDatabase(pg_server)


def clone_template(template_db, request, folder: Path, name: str) -> str:
    """A database of its own cloned from the migrated template (a copied SQLite file in folder, or a PostgreSQL
    database `name`) for a fixture wider than a test; → its URL."""
    if template_db["backend"] == "sqlite":
        target = folder / f"{name}.db"
        shutil.copyfile(template_db["path"], target)
        return f"sqlite:///{target}"
    return request.getfixturevalue("pg_server").create_database(name, template="tmpl")


def _new_app(database_url: str):
    from server import create_app
    from server.testing import TestConfig

    app = create_app(TestConfig(database_url))

    @app.teardown_request
    def _forget_request_globals(_exc):
        # The fixture keeps one app context open, so `g` would outlive each test request (a signed-in
        # user, Flask-WTF's CSRF token). Real requests each get a fresh `g`: so must test requests.
        g.__dict__.clear()

    return app


@pytest.fixture
def app(request, backend):
    """The app of this test's tier: its own fresh database, or the shared one under `tx` (rollback marker)."""
    if request.node.get_closest_marker("rollback"):
        request.getfixturevalue("tx")
        return request.getfixturevalue("rollback_app")
    return request.getfixturevalue("fresh_app")


@pytest.fixture
def fresh_app(template_db, request):
    """An app on a database of this test's own: on PostgreSQL the scratch database, put back to the
    template, unless the test asks for `database_url` itself (servers, CLI runs): then both get a clone."""
    if template_db["backend"] == "postgresql" and "database_url" not in request.fixturenames:
        url = request.getfixturevalue("scratch_pg").reset()
    else:
        url = request.getfixturevalue("database_url")
    app = _new_app(url)
    with app.app_context():
        yield app
        from server.extensions import db
        db.session.remove()
        db.engine.dispose()


# --- the rolled-back tier ----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def rollback_app(template_db, tmp_path_factory, request):
    """One app per backend over a migrated database of its own, shared by every rolled-back test."""
    app = _new_app(clone_template(template_db, request, tmp_path_factory.mktemp("rollback"), "rollback"))
    yield app
    with app.app_context():
        from server.extensions import db
        db.engine.dispose()


@pytest.fixture
def tx(rollback_app):
    """This test's transaction on the shared database → db.session, bound to it; rolled back at the end.

    Every commit inside (run_in_transaction, a request's) releases a savepoint, every rollback returns
    to one, so services and HTTP requests behave as with a database of their own. On SQLite the ledger's
    late BEGIN IMMEDIATE (server/db.py claim_write_lock) sees the open transaction and begins nothing.
    """
    import sqlalchemy.orm as sa_orm
    from flask_sqlalchemy.session import Session, _app_ctx_id

    from server.extensions import db

    class JoinedSession(Session):
        def get_bind(self, *args, **kwargs):  # Flask-SQLAlchemy would pick its engine, not our connection
            return self.bind

    with rollback_app.app_context():
        conn = db.engine.connect()
        outer = conn.begin()
        shared = db.session
        db.session = sa_orm.scoped_session(
            sa_orm.sessionmaker(class_=JoinedSession, db=db, bind=conn, query_cls=db.Query,
                                join_transaction_mode="create_savepoint"), scopefunc=_app_ctx_id)
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = shared
            outer.rollback()
            conn.close()


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
def floor_plan(request):
    """The floor of this module (its FLOOR, a factories.FloorPlan); a folder's conftest may override it."""
    plan = getattr(request.module, "FLOOR", None)
    if plan is None:
        pytest.fail(f"{request.module.__name__} uses `floor` but defines no FLOOR (a factories.FloorPlan)")
    return plan


@pytest.fixture
def floor(app, floor_plan, request):
    """The module's floor plan built in one committed transaction → {"actor": who booked its stock, ...}."""
    users = request.getfixturevalue("users") if floor_plan.by else None
    return factories.build_floor(floor_plan, users)


@pytest.fixture(autouse=True)
def _fast_secrets(monkeypatch):
    """PINs and passwords hash at TestConfig's low cost even outside an app context (CLI, demo seeding).

    Tests about hashing itself undo this with monkeypatch.undo() or their own patch.
    """
    monkeypatch.setattr("server.auth.services.hash_secret", cheap_hash_secret)


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
