"""Where does a POST /api/scan spend its time? cProfile and SQL timings inside one process.

Sets up a database as bench/scan.py does (migrated, catalogue seeded through the API), then runs the
same scan mix through the app in this process (Flask test client: no HTTP, no gunicorn) under
cProfile, with every SQL statement and every COMMIT timed. `GET /healthz` and `POST /api/moves` are
profiled the same way for comparison.

    .venv/bin/python bench/profile_scan.py --backend sqlite --n 1000
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Api, Server, database, log, prepare_app, seed_catalogue  # noqa: E402
from bench.scan import MIX, make_code  # noqa: E402


class SqlTimer:
    """Time each statement (by its first words) and each COMMIT, via SQLAlchemy and DBAPI hooks."""

    def __init__(self, engine):
        import sqlalchemy as sa
        self.by_stmt = defaultdict(lambda: [0, 0.0])
        self.commit = [0, 0.0]
        self.begin = [0, 0.0]
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)
        self.checkouts = 0  # each checkout runs a pre-ping (pool_pre_ping=True): one more round trip

        def _checkout(*_a):
            self.checkouts += 1
        sa.event.listen(engine, "checkout", _checkout)
        timer = self

        # COMMIT goes to the DBAPI connection, not through a cursor: time the dialect's do_commit.
        orig_do_commit = engine.dialect.do_commit

        def do_commit(dbapi_connection):
            t = time.perf_counter()
            try:
                orig_do_commit(dbapi_connection)
            finally:
                timer.commit[0] += 1
                timer.commit[1] += time.perf_counter() - t
        engine.dialect.do_commit = do_commit

    def _before(self, conn, cursor, statement, params, context, executemany):
        conn.info.setdefault("t", []).append(time.perf_counter())

    def _after(self, conn, cursor, statement, params, context, executemany):
        t = conn.info["t"].pop()
        words = " ".join(statement.split())
        key = words[:90]
        rec = self.by_stmt[key]
        rec[0] += 1
        rec[1] += time.perf_counter() - t

    def reset(self):
        self.by_stmt.clear()
        self.commit[:] = [0, 0.0]
        self.checkouts = 0

    def report(self, n: int, wall: float) -> str:
        lines = [f"  {n} requests, {wall / n * 1000:.2f} ms each (wall, in-process)"]
        sql_total = sum(v[1] for v in self.by_stmt.values())
        lines.append(f"  SQL statements: {sum(v[0] for v in self.by_stmt.values()) / n:.1f} per request, "
                     f"{sql_total / n * 1000:.2f} ms per request")
        lines.append(f"  pool checkouts (each with a pre-ping): {self.checkouts / n:.2f} per request")
        lines.append(f"  COMMIT: {self.commit[0] / n:.2f} per request, {self.commit[1] / n * 1000:.2f} ms per request")
        for key, (cnt, secs) in sorted(self.by_stmt.items(), key=lambda kv: -kv[1][1])[:14]:
            lines.append(f"    {secs / n * 1000:7.3f} ms/req  {cnt / n:5.2f}x  {key}")
        return "\n".join(lines)


def profile(label, fn, n, timer, top=25):
    timer.reset()
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    for i in range(n):
        fn(i)
    prof.disable()
    wall = time.perf_counter() - t
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    cum = io.StringIO()
    pstats.Stats(prof, stream=cum).sort_stats("cumulative").print_stats(r"/server/|/handheld_web/|flask/app|apiflask", top)
    print(f"\n=== {label} ===")
    print(timer.report(n, wall))
    print("\n".join(out.getvalue().splitlines()[:top + 12]))
    print("  --- cumulative, app code ---")
    print("\n".join(cum.getvalue().splitlines()[:top + 12]))
    return wall / n


def request_fns(client, token: str, codes: list[str], cat) -> dict:
    """The profiled requests, sent through a Flask test client."""
    headers = {"Authorization": f"Bearer {token}", "X-Device-Id": "prof"}
    m = cat.movers[0]
    hot = [it["sku"] for it in cat.items if it["lot"] is None][-1]

    def healthz(i):
        assert client.get("/healthz").status_code == 200

    def scan(i):
        r = client.post("/api/scan", json={"code": codes[i % len(codes)]}, headers=headers)
        assert r.status_code in (200, 404), r.get_data(as_text=True)

    def move(i):
        src, dst = (m["a"], m["b"]) if i % 2 == 0 else (m["b"], m["a"])
        r = client.post("/api/moves", json={"item": m["sku"], "qty": 1, "from": src, "to": dst},
                        headers={**headers, "Idempotency-Key": uuid.uuid4().hex})
        assert r.status_code == 201, r.get_data(as_text=True)

    def stock(i):
        assert client.get(f"/api/stock?item={hot}", headers=headers).status_code == 200

    def me(i):
        assert client.get("/api/me", headers=headers).status_code == 200

    return {"healthz": healthz, "scan": scan, "move": move, "stock": stock, "me": me}


def _timed(fn, n) -> dict:
    times = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t)
    times.sort()
    return {"mean_ms": round(sum(times) / n * 1000, 3), "p50_ms": round(times[n // 2] * 1000, 3),
            "p99_ms": round(times[max(0, int(n * 0.99) - 1)] * 1000, 3)}


def ablate(app, fns: dict, make_fns, n, db) -> None:
    """Time scan variants without a profiler: what does each part of a scan cost?"""
    import server.scanning.api as scan_api
    from server import db as server_db
    from server.extensions import db as sdb

    scan, healthz, me = fns["scan"], fns["healthz"], fns["me"]
    results = {}
    results["healthz"] = _timed(healthz, n)
    results["healthz (again, drift check)"] = _timed(healthz, n)
    results["GET /api/me (auth + framework)"] = _timed(me, n)
    results["scan (as shipped)"] = _timed(scan, n)
    real = scan_api.run_in_transaction
    try:
        scan_api.run_in_transaction = lambda fn, *a, **k: None
        results["scan without the scan-log write"] = _timed(scan, n)

        def log_in_read_txn(fn, *a, **k):  # add the row and commit the read transaction: no second BEGIN
            fn(*a, **k)
            sdb.session.commit()
        scan_api.run_in_transaction = log_in_read_txn
        results["scan, log committed with the read transaction (BEGIN deferred)"] = _timed(scan, n)
    finally:
        scan_api.run_in_transaction = real
    # pool_pre_ping=True (server/config.py) costs a "SELECT 1" on every pool checkout, and a scan
    # checks out twice (the read, then the scan-log transaction after a rollback released it).
    from server import create_app
    from server.config import Config
    cfg = Config()
    cfg.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False}
    app2 = create_app(cfg)
    fns2 = make_fns(app2.test_client())
    scan2, healthz2 = fns2["scan"], fns2["healthz"]
    for i in range(20):
        scan2(i), healthz2(i)
    results["healthz, pool_pre_ping off"] = _timed(healthz2, n)
    results["scan, pool_pre_ping off"] = _timed(scan2, n)
    with app2.app_context():
        sdb.engine.dispose()
    if db.backend == "sqlite":
        server_db.set_sqlite_synchronous("NORMAL")
        with app.app_context():
            sdb.engine.dispose()  # new connections get the new PRAGMA
        results["scan, SQLite synchronous=NORMAL"] = _timed(scan, n)
        results["healthz, SQLite synchronous=NORMAL"] = _timed(healthz, n)
    for k, v in results.items():
        print(f"  {k:70s} mean {v['mean_ms']:7.3f} ms  p50 {v['p50_ms']:7.3f} ms  p99 {v['p99_ms']:7.3f} ms")
    print(json.dumps({"ablation": results}))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--ablate", action="store_true", help="time scan variants (no profiler) instead of profiling")
    p.add_argument("--sqlite-sync", default=None, help="override SHIPFLOOR_SQLITE_SYNCHRONOUS in the profiled app")
    args = p.parse_args(argv)
    import random
    with tempfile.TemporaryDirectory(prefix="sf-prof-") as tmp, database(args.backend, Path(tmp)) as db:
        env, token = prepare_app(db, Path(tmp))
        with Server(env, Path(tmp), workers=1) as srv:
            cat = seed_catalogue(Api(srv.port, token), movers=4)
        os.environ.update({k: v for k, v in env.items() if k in ("DATABASE_URL", "SECRET_KEY", "SHIPFLOOR_INSTANCE")})
        if args.sqlite_sync:
            os.environ["SHIPFLOOR_SQLITE_SYNCHRONOUS"] = args.sqlite_sync
        from server import create_app
        from server.extensions import db as sdb
        app = create_app()
        rng = random.Random(3)
        kinds = [k for k, w, _ in MIX for _ in range(w)]
        codes = [make_code(rng.choice(kinds), cat, rng) for _ in range(args.n)]
        with app.app_context():
            timer = SqlTimer(sdb.engine)
        fns = request_fns(app.test_client(), token, codes, cat)
        healthz, scan, move, stock = fns["healthz"], fns["scan"], fns["move"], fns["stock"]
        for fn in (healthz, scan, move, stock):  # warm caches
            for i in range(20):
                fn(i)
        print(f"backend: {db.note}")
        if args.ablate:
            ablate(app, fns, lambda c: request_fns(c, token, codes, cat), args.n, db)
            with app.app_context():
                sdb.engine.dispose()
            return 0
        h = profile("GET /healthz", healthz, args.n, timer, args.top)
        s = profile("POST /api/scan", scan, args.n, timer, args.top)
        mv = profile("POST /api/moves", move, min(args.n, 500), timer, args.top)
        st = profile("GET /api/stock", stock, args.n, timer, args.top)
        print(json.dumps({"ms_per_request_in_process_under_cprofile": {
            "healthz": round(h * 1000, 3), "scan": round(s * 1000, 3), "moves": round(mv * 1000, 3),
            "stock": round(st * 1000, 3)}}))
        with app.app_context():
            sdb.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
