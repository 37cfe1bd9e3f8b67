"""SQL statements per request for the two hot paths of the floor: an item scan and a move (issue 6, D).

What counts as a statement: every cursor execute SQLAlchemy makes (its before_cursor_execute event),
so SQLite's BEGIN / BEGIN IMMEDIATE, PRAGMAs, SAVEPOINT / RELEASE and PostgreSQL's SET LOCAL all count.
COMMIT and ROLLBACK do not: both drivers end a transaction through the DBAPI's commit()/rollback(),
never a cursor. Nor does PostgreSQL's BEGIN: psycopg sends it by itself before the first statement of
a transaction (so on PostgreSQL each transaction also costs a BEGIN and a COMMIT round trip). Each count is taken in the steady state of a
handheld: the token is already in this worker's token cache, the pooled connection is open, and the
request before was of the same kind. (SQLite's synchronous level is per connection and can't change
inside a transaction: the first relaxed scan-log write after a durable ledger write on the same pooled
connection, and the reverse, pay one PRAGMA synchronous more.)

An item scan by GTIN, at most 3:
  SQLite:      BEGIN (read) · resolve the GTIN to its item · INSERT the scan log (one statement, no BEGIN)
  PostgreSQL:  resolve the GTIN · SET LOCAL synchronous_commit = off (the log's relaxed durability) ·
               INSERT the scan log
A move, at most 10 (an executemany, e.g. the UPDATE of both balances, is one statement); 9 today:
  the Idempotency-Key's SELECT · the item · both locations in one query  (on SQLite these reads run
  before the write transaction: server/db.py claim_write_lock) · BEGIN IMMEDIATE (SQLite) or SET LOCAL
  lock_timeout before the key's INSERT (PostgreSQL) · create the missing balance rows (INSERT … SELECT …
  ON CONFLICT DO NOTHING) · lock source and destination balances · UPDATE them · INSERT the movement ·
  INSERT the Idempotency-Key with its answer; the answer is built from the rows in hand, nothing re-read.
"""

from __future__ import annotations

import contextlib

import pytest
import sqlalchemy as sa

from tests.factories import FloorPlan, place, sku
from tests.helpers import ApiClient, make_token

GTIN = "4006381333931"
SCAN_LIMIT = 3
MOVE_LIMIT = 10


@pytest.fixture(autouse=True)
def durable_sqlite(app):
    """SQLite as served (synchronous=FULL), not the tests' NORMAL: PRAGMAs switching levels count too."""
    from server.db import set_sqlite_synchronous
    set_sqlite_synchronous("FULL")
    yield
    set_sqlite_synchronous(app.config["SQLITE_SYNCHRONOUS"])


# Two bins and an item with a GTIN and 100 units in the first bin (through the ledger).
FLOOR = FloorPlan(locations=(place("A-01-01", zone="A", seq=1), place("A-01-02", zone="A", seq=2)),
                  items=(sku("SKU-1001", "Blue mug", barcodes=[GTIN]),), stock=(("SKU-1001", "A-01-01", 100),))


@pytest.fixture
def picker(client, users) -> ApiClient:
    return ApiClient(client, make_token(users["picker"]))


@contextlib.contextmanager
def statements(db):
    """Collect the SQL of every cursor execute on the app's engine inside the block."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split())[:160])

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def listing(seen: list[str]) -> str:
    return "\n".join(f"  {n}. {sql}" for n, sql in enumerate(seen, 1))


def test_an_item_scan_by_gtin_costs_at_most_three_statements(db, floor, picker):
    assert picker.scan(GTIN).status_code == 200  # warms the token cache and the pooled connection
    with statements(db) as seen:
        r = picker.scan(GTIN)
    assert r.status_code == 200 and r.json["kind"] == "item", r.json
    assert len(seen) <= SCAN_LIMIT, f"{len(seen)} statements for one item scan:\n{listing(seen)}"


def test_a_move_costs_at_most_ten_statements(db, floor, picker):
    move = {"item": GTIN, "qty": 1, "from": "A-01-01", "to": "A-01-02"}
    assert picker.post("/api/moves", move).status_code == 201  # warm-up, as a handheld's earlier move
    back = {**move, "from": "A-01-02", "to": "A-01-01"}
    with statements(db) as seen:
        r = picker.post("/api/moves", back)
    assert r.status_code == 201, r.json
    assert (r.json["from"], r.json["to"], r.json["qty"]) == ("A-01-02", "A-01-01", 1)
    assert len(seen) <= MOVE_LIMIT, f"{len(seen)} statements for one move:\n{listing(seen)}"


def test_authenticating_a_cached_token_costs_no_statement(db, picker):
    assert picker.get("/api/me").status_code == 200
    with statements(db) as seen:
        r = picker.get("/api/me")
    assert r.status_code == 200
    assert seen == [], listing(seen)
