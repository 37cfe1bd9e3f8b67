"""A database that cannot store anything answers 503 with a clear problem, and /healthz says so (issue 7, 8).

The faults are real ones from the real drivers: SQLite stops at `max_page_count` (SQLITE_FULL,
"database or disk is full") or with `query_only` (SQLITE_READONLY); PostgreSQL refuses with
default_transaction_read_only (ReadOnlySqlTransaction), and a trigger raises SQLSTATE 53100 (DiskFull,
as "could not extend file" does) since a test cannot fill the server's disk. Where the tests may mount
(root), a SQLite file also sits on a 4 MiB tmpfs that is filled up or seen through a read-only mount.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
import subprocess
import uuid

import pytest
import sqlalchemy as sa

from tests.helpers import ApiClient, assert_problem, make_token, make_user
from tests.supervisor.web import login, submit

FULL_DETAIL = "The database cannot store anything: the disk is full. Tell your supervisor."
READ_ONLY_DETAIL = "The database cannot store anything: it is read-only. Tell your supervisor."


def _on_every_new_connection(db, *statements: str) -> None:
    """Run these statements on each connection the app opens from now on (the pool starts afresh)."""

    def run(dbapi_connection, _record):
        cur = dbapi_connection.cursor()
        for statement in statements:
            cur.execute(statement)
        cur.close()

    sa.event.listen(db.engine, "connect", run)
    db.session.rollback()  # the session's objects stay attached; their next read uses a new connection
    db.engine.dispose()


def _fill_sqlite(db) -> None:
    """Cap the SQLite file at its size and use up its free pages: the next page it needs is refused."""
    path = db.engine.url.database
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("CREATE TABLE filler (b BLOB)")
    pages = raw.execute("PRAGMA page_count").fetchone()[0]
    _on_every_new_connection(db, f"PRAGMA max_page_count = {pages}")
    raw.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(sqlite3.OperationalError, match="database or disk is full"):
        for _ in range(100_000):
            raw.execute("INSERT INTO filler VALUES (randomblob(1000))")
    raw.close()


def _fill_postgresql(db) -> None:
    with db.engine.begin() as conn:
        conn.exec_driver_sql("""CREATE FUNCTION disk_is_full() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'could not extend file "base/1/2": No space left on device'
                  USING ERRCODE = 'disk_full'; END $$""")
        for table in ("items", "locations"):
            conn.exec_driver_sql(f"CREATE TRIGGER disk_is_full BEFORE INSERT ON {table} "
                                 "FOR EACH ROW EXECUTE FUNCTION disk_is_full()")


@pytest.fixture
def sv(api):
    """The supervisor's API client, its token issued while the database still stores things."""
    return api("supervisor")


@pytest.fixture
def signed_in(client, users):
    """A supervisor signed in to the pages while the database still stores things."""
    assert login(client, users["supervisor"].username).status_code == 302
    return client


# The fault fixtures come after the fixtures above in a test's arguments: pytest sets them up in order.
# They ask for database_url so that the app's database is this test's own clone, never PostgreSQL's
# shared scratch database (conftest.py), which would keep the trigger or the read-only setting.
@pytest.fixture
def disk_full(db, backend, database_url):
    (_fill_sqlite if backend == "sqlite" else _fill_postgresql)(db)


@pytest.fixture
def read_only(db, backend, database_url):
    if backend == "sqlite":
        _on_every_new_connection(db, "PRAGMA query_only = ON")
    else:
        with db.engine.begin() as conn:
            name = conn.exec_driver_sql("SELECT current_database()").scalar()
            conn.exec_driver_sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        db.session.rollback()
        db.engine.dispose()  # new sessions read the setting


def _create_items_until_refused(sv, tries: int = 400):
    """Create items until one is refused (SQLite: once the free space of the pages in use is gone)."""
    for n in range(tries):
        r = sv.post("/api/items", json={"sku": f"SKU-FULL-{n}", "name": "x" * 200,
                                                         "barcodes": [uuid.uuid4().hex]})
        if r.status_code != 201:
            return r
    raise AssertionError(f"{tries} items stored in a full database")


@pytest.fixture
def storage_memory(monkeypatch):
    """A clean slate for the process's remembered fault (server/storage.py), restored after."""
    from server import storage
    monkeypatch.setattr(storage, "_last_fault", [None])
    return storage


def test_a_full_disk_answers_503_with_what_to_do(sv, disk_full, storage_memory):
    r = _create_items_until_refused(sv)
    body = assert_problem(r, 503, "storage_full")
    assert body["detail"] == FULL_DETAIL
    assert int(r.headers["Retry-After"]) > 0
    assert r.headers["Cache-Control"] == "no-store"


def test_a_read_only_database_answers_503_with_what_to_do(sv, read_only, storage_memory):
    r = sv.post("/api/items", json={"sku": "SKU-RO-1", "name": "Read-only mug"})
    body = assert_problem(r, 503, "storage_read_only")
    assert body["detail"] == READ_ONLY_DETAIL
    assert int(r.headers["Retry-After"]) > 0


def test_reads_still_work_on_a_read_only_database(sv, read_only, storage_memory):
    assert sv.get("/api/items").status_code == 200


def test_the_supervisor_pages_show_the_fault_as_a_page(signed_in, read_only, storage_memory):
    r = submit(signed_in, "/locations/new", {"code": "A-09-01", "kind": "bin"})
    assert r.status_code == 503
    assert r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    assert 'id="error"' in page and "it is read-only. Tell your supervisor." in page


def test_healthz_reports_a_read_only_database(client, read_only, storage_memory):
    r = client.get("/healthz")
    body = assert_problem(r, 503, "storage_read_only")
    assert body["detail"] == READ_ONLY_DETAIL


def test_healthz_reports_a_full_disk_once_a_write_met_it(client, sv, disk_full, storage_memory):
    assert client.get("/healthz").status_code == 200
    assert _create_items_until_refused(sv).status_code == 503
    assert_problem(client.get("/healthz"), 503, "storage_full")


def test_healthz_recovers_when_a_write_gets_through(client, sv, storage_memory):
    storage_memory.remember(storage_memory.FULL)  # as after a refused write
    assert client.get("/healthz").status_code == 503
    r = sv.post("/api/items", json={"sku": "SKU-OK-1", "name": "Mug"})
    assert r.status_code == 201
    assert client.get("/healthz").status_code == 200


def test_healthz_forgets_a_fault_nobody_met_again(client, backend, storage_memory, monkeypatch):
    """With no writes (a balancer took the node out), the report must not stay unhealthy forever."""
    storage_memory.remember(storage_memory.FULL)
    monkeypatch.setattr(storage_memory, "FAULT_MEMORY_S", 0.0)
    assert client.get("/healthz").status_code == 200


@pytest.fixture
def small_disk(tmp_path, template_db, backend):
    """A 4 MiB file system (tmpfs) holding a copy of the migrated SQLite database; needs root."""
    if backend != "sqlite":
        pytest.skip("a SQLite file on a file system of its own")
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a small file system here (needs root)")
    try:
        shutil.copyfile(template_db["path"], mount / "shipfloor.db")
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill_file_system(path) -> None:
    with open(path, "wb") as ballast:
        try:
            while True:
                ballast.write(b"\0" * 65536)
                ballast.flush()
        except OSError as e:
            assert e.errno == errno.ENOSPC


def test_a_really_full_file_system_is_reported_and_refused(small_disk, storage_memory):
    """The disk itself is full: /healthz sees it without writing, and a write answers 503, not 500."""
    from server import create_app
    from server.extensions import db
    from server.http import run_in_transaction
    from server.testing import TestConfig

    app = create_app(TestConfig(f"sqlite:///{small_disk / 'shipfloor.db'}"))
    with app.app_context():
        try:
            sv = ApiClient(app.test_client(), make_token(run_in_transaction(lambda: make_user("supervisor"))))
            assert sv.get("/healthz").status_code == 200
            _fill_file_system(small_disk / "ballast")
            assert_problem(sv.get("/healthz"), 503, "storage_full")
            assert_problem(_create_items_until_refused(sv), 503, "storage_full")

            (small_disk / "ballast").unlink()  # room again: the next write gets through, and health with it
            r = sv.post("/api/items", json={"sku": "SKU-ROOM-1", "name": "Mug"})
            assert r.status_code == 201, r.get_data(as_text=True)
            assert sv.get("/healthz").status_code == 200
        finally:
            db.session.remove()
            db.engine.dispose()



@pytest.fixture
def read_only_view(small_disk, tmp_path):
    """The small disk's folder again, mounted read-only (a read-only bind mount) at another path."""
    view = tmp_path / "read-only"
    view.mkdir()
    subprocess.run(["mount", "--bind", str(small_disk), str(view)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(view)], check=True)
        yield view
    finally:
        subprocess.run(["umount", "-l", str(view)], check=False)


def test_a_read_only_file_system_is_reported_and_refused(small_disk, read_only_view, storage_memory):
    """The database's disk is read-only: /healthz says so without writing, and a write answers 503."""
    from server import create_app
    from server.extensions import db
    from server.http import run_in_transaction
    from server.testing import TestConfig

    writable = create_app(TestConfig(f"sqlite:///{small_disk / 'shipfloor.db'}"))
    with writable.app_context():
        token = make_token(run_in_transaction(lambda: make_user("supervisor")))
        db.session.remove()
        db.engine.dispose()
    app = create_app(TestConfig(f"sqlite:///{read_only_view / 'shipfloor.db'}"))
    with app.app_context():
        try:
            sv = ApiClient(app.test_client(), token)
            assert_problem(sv.get("/healthz"), 503, "storage_read_only")
            # SQLite cannot open a WAL database on a read-only disk at all, so reads are refused alike.
            assert_problem(sv.get("/api/items"), 503, "storage_read_only")
            assert_problem(sv.post("/api/items", json={"sku": "SKU-RO-FS", "name": "Mug"}), 503, "storage_read_only")
        finally:
            db.session.remove()
            db.engine.dispose()
