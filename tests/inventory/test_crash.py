"""Crash safety: what the server acknowledged survives a kill -9 of every server process.

gunicorn (master and workers, in their own process group) takes writes from several client threads;
after about two seconds the whole group gets SIGKILL. Every write answered 201 must be in the
database with the quantity it announced, `flask --app wsgi inventory verify` must print `ok`, and a
client retrying an acknowledged write with its key after the restart must get the same answer back.
Durability is on: SQLite with synchronous=FULL, PostgreSQL on a cluster with fsync on.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
import uuid

import httpx
import pytest
import sqlalchemy as sa

from tests.helpers import make_token, make_user
from tests.inventory.live import Gunicorn, flask_cli

pytestmark = pytest.mark.slow

CLIENTS = 6
RUN_BEFORE_KILL = 2.0
MIN_ACKED = 30
ITEMS = ["CR-1", "CR-2", "CR-3"]
BINS = [f"K-{n:02d}" for n in range(1, 7)]
_names = itertools.count()


@pytest.fixture(scope="module")
def durable_pg():
    """A PostgreSQL cluster of its own with fsync on (the shared test cluster runs with fsync off)."""
    from tests import pg
    try:
        pg._bindir()
    except RuntimeError as exc:
        pytest.skip(str(exc))
    with pg.throwaway_cluster(durable=True) as cluster:
        yield cluster


@pytest.fixture
def crash_db(backend, request, tmp_path):
    """A migrated database on durable storage, seeded with bins, stock and two users' tokens."""
    from flask_migrate import upgrade

    from server import create_app
    from server.extensions import db
    from server.http import run_in_transaction
    from server.testing import TestConfig

    cluster, name = None, None
    if backend == "sqlite":
        url = request.getfixturevalue("database_url")  # already migrated
    else:
        cluster = request.getfixturevalue("durable_pg")
        name = f"crash{next(_names)}"
        url = cluster.create_database(name)
    app = create_app(TestConfig(url, SQLITE_SYNCHRONOUS="FULL"))
    with app.app_context():
        if cluster is not None:
            from tests.conftest import ROOT
            upgrade(directory=str(ROOT / "migrations"))
        tokens = run_in_transaction(_seed)
        tokens = {role: make_token(user) for role, user in tokens.items()}
        db.session.remove()
        db.engine.dispose()
    yield {"url": url, "tokens": tokens, "app": app}
    if cluster is not None:
        cluster.drop_database(name)


def _seed():
    from server.catalog.services import create_item
    from server.inventory.ledger import Actor
    from server.inventory.locations import create_location, get_or_create_zone
    from server.inventory.moves import adjust_stock

    zone = get_or_create_zone("K")
    for seq, code in enumerate(BINS):
        create_location(code, zone=zone, pick_sequence=seq)
    for sku in ITEMS:
        create_item(sku, f"Crash item {sku}")
        for code in BINS:
            adjust_stock(item_code=sku, location_code=code, delta=40, reason="opening_balance",
                         actor=Actor(user_id=None))
    return {"picker": make_user("picker"), "supervisor": make_user("supervisor")}


def _writer(n: int, url: str, tokens: dict, stop: threading.Event, acked: list, cut: list):
    rng = random.Random(500 + n)
    with httpx.Client(base_url=url, timeout=httpx.Timeout(30.0)) as client:
        while not stop.is_set():
            if rng.random() < 0.7:
                src, dst = rng.sample(BINS, 2)
                role, path = "picker", "/api/moves"
                body = {"item": rng.choice(ITEMS), "qty": rng.randint(1, 3), "from": src, "to": dst}
            else:
                role, path = "supervisor", "/api/adjustments"
                qty = rng.choice([-2, -1, 1, 2])
                body = {"item": rng.choice(ITEMS), "location": rng.choice(BINS), "qty": qty,
                        "reason": "found" if qty > 0 else "lost"}
            key = uuid.uuid4().hex
            headers = {"Authorization": f"Bearer {tokens[role]}", "Idempotency-Key": key}
            try:
                r = client.post(path, json=body, headers=headers)
            except httpx.HTTPError:
                cut.append((role, path, body, key))
                return  # the server is gone
            if r.status_code == 201:
                acked.append((role, path, body, key, r.content, r.json()))
            elif r.status_code >= 500 and r.status_code != 503:
                cut.append((role, path, body, key))
                acked.append(("ERROR", path, body, key, r.content, None))


def _movements(ids: list[int]) -> dict[int, tuple]:
    from server.catalog.models import Item
    from server.extensions import db
    from server.inventory.ledger_models import StockMove
    from server.inventory.models import Location

    src, dst = sa.orm.aliased(Location), sa.orm.aliased(Location)
    rows = db.session.execute(
        sa.select(StockMove.id, StockMove.kind, Item.sku, StockMove.qty, src.code, dst.code)
        .join(Item, StockMove.item_id == Item.id).join(src, StockMove.src_id == src.id)
        .join(dst, StockMove.dst_id == dst.id).where(StockMove.id.in_(ids))).all()
    return {r[0]: (r[1].value, r[2], r[3], r[4], r[5]) for r in rows}


def test_acknowledged_writes_survive_kill_9_of_every_server_process(crash_db, tmp_path):
    from server.extensions import db

    server = Gunicorn(crash_db["url"], tmp_path, workers=4, threads=4, SHIPFLOOR_SQLITE_SYNCHRONOUS="FULL").start()
    acked: list = []
    cut: list = []
    stop = threading.Event()
    try:
        threads = [threading.Thread(target=_writer, args=(n, server.url, crash_db["tokens"], stop, acked, cut))
                   for n in range(CLIENTS)]
        started = time.monotonic()
        for t in threads:
            t.start()
        # About two seconds of load; on a slow machine, longer: until enough writes went through (freshly
        # booted workers connect and warm up on their first requests). Slowness waits, it never fails.
        time.sleep(RUN_BEFORE_KILL)
        deadline = time.monotonic() + 300
        while len(acked) < MIN_ACKED and time.monotonic() < deadline:
            time.sleep(0.1)
        killed_after = time.monotonic() - started
        server.kill()  # SIGKILL to master and workers at once, mid-write
        stop.set()
        for t in threads:
            t.join(60)
        assert not any(t.is_alive() for t in threads)
    finally:
        stop.set()
        server.stop()

    errors = [a for a in acked if a[0] == "ERROR"]
    assert not errors, errors[:3]
    assert len(acked) >= MIN_ACKED, f"only {len(acked)} writes acknowledged before the kill"

    # Every acknowledged movement is in the database, with what its answer said.
    announced = {}
    for role, path, body, key, raw, got in acked:
        for part in got["parts"] or [got]:
            announced[part["id"]] = (part["kind"], part["item"], part["qty"], part["from"], part["to"])
    with crash_db["app"].app_context():
        try:
            assert _movements(list(announced)) == announced
        finally:
            db.session.remove()
            db.engine.dispose()

    verify = flask_cli(crash_db["url"], tmp_path, "inventory", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert verify.stdout.strip().splitlines()[-1] == "ok", verify.stdout

    # After a restart, handhelds retry with the same keys. An acknowledged write gets its stored answer
    # back (the key was committed with the movement); a write cut off mid-flight happens exactly once:
    # replayed if it had committed before the kill, done now if it had not.
    def count_moves():
        from server.inventory.ledger_models import StockMove
        with crash_db["app"].app_context():
            try:
                return db.session.scalar(sa.select(sa.func.count()).select_from(StockMove))
            finally:
                db.session.remove()
                db.engine.dispose()

    before = count_moves()
    fresh_parts = replayed_cut = 0
    restarted = Gunicorn(crash_db["url"], tmp_path, workers=1, threads=2).start()
    try:
        with httpx.Client(base_url=restarted.url, timeout=60) as client:
            def resend(role, path, body, key):
                return client.post(path, json=body, headers={"Authorization": f"Bearer {crash_db['tokens'][role]}",
                                                             "Idempotency-Key": key})

            for role, path, body, key, raw, got in random.Random(1).sample(acked, min(15, len(acked))):
                r = resend(role, path, body, key)
                assert (r.status_code, r.content) == (201, raw)
                assert r.headers.get("Idempotent-Replayed") == "true"
            for role, path, body, key in cut:
                r = resend(role, path, body, key)
                assert r.status_code in (201, 409), r.text
                if r.headers.get("Idempotent-Replayed") == "true":
                    replayed_cut += 1
                elif r.status_code == 201:
                    fresh_parts += len(r.json()["parts"]) or 1
                assert resend(role, path, body, key).content == r.content
    finally:
        restarted.stop()
    assert count_moves() == before + fresh_parts
    print(f"\nkilled after {killed_after:.1f}s: {len(acked)} acknowledged, {len(cut)} cut off "
          f"({replayed_cut} of them had committed)")
