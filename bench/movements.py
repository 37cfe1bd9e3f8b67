"""Stock movements: POST /api/moves throughput, then a large ledger's balance lookup and verify.

For each backend: a fresh database, migrated and seeded through the API (as bench/scan.py does);
gunicorn with SHIPFLOOR_WORKERS workers (default 4).

1. Movements per second and latency of `POST /api/moves` (each with its own Idempotency-Key) at 1, 8
   and 32 clients, interleaved with the `GET /healthz` baseline on the same server, in each serving
   mode (--modes: gunicorn worker class / client connection, see bench/common.py). Each client moves
   one unit of its own item back and forth between two stocked bins, so no move is refused.
2. The server is stopped and the ledger is bulk-loaded to --rows movements (default 1,000,000):
   receipts, bin-to-bin moves and shipments generated in order, never taking more than a bin holds,
   written straight into stock_moves (executemany on SQLite, COPY on PostgreSQL), with the matching
   stock_balances rows, so that `flask inventory verify` stays clean. One "hot" item gets 5% of the
   rows spread over 40 bins.
3. With the server started again: `GET /api/stock?item=<hot item>` latency beside /healthz (also
   measured before the bulk load, on the small ledger), moves at 8 clients on the big ledger, and the
   wall time of `flask --app wsgi inventory verify` (which must print ok) before and after. Stock
   lookups and the big ledger use the first mode only.

    .venv/bin/python bench/movements.py                        # both backends, 1,000,000 rows
    .venv/bin/python bench/movements.py --backend sqlite --quick --rows 20000
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (DEFAULT_MODES, Api, Req, Server, add_mode_ratios, by_worker_class, database,  # noqa: E402
                          flask_cli,
                          fmt_table, healthz_requests, interleaved, log, machine_info, parse_modes, prepare_app,
                          ratio_summary, run_load, seed_catalogue, split, wait_for_quiet, write_results)

HOT_SHARE, HOT_BINS, ITEM_BINS = 0.05, 40, 4
MOVE_COLUMNS = ("kind", "item_id", "qty", "src_id", "dst_id", "lot", "expiry", "serial", "reason", "ref_type",
                "ref_id", "reverses_id", "user_id", "device_id", "scanned_at", "created_at")


def move_requests(cat, token: str, clients: int, per_client: int, state: dict) -> list[list[Req]]:
    """Per client: its own item, one unit a move, alternating a→b and b→a (never runs out)."""
    out = []
    for c in range(clients):
        m = cat.movers[c % len(cat.movers)]
        reqs = []
        for _ in range(per_client):
            n = state.get(c, 0)
            state[c] = n + 1
            src, dst = (m["a"], m["b"]) if n % 2 == 0 else (m["b"], m["a"])
            reqs.append(Req("POST", "/api/moves",
                            json.dumps({"item": m["sku"], "qty": 1, "from": src, "to": dst}).encode(),
                            (("Authorization", f"Bearer {token}"), ("Content-Type", "application/json"),
                             ("Idempotency-Key", uuid.uuid4().hex), ("X-Device-Id", f"bench-{c}"))))
        out.append(reqs)
    return out


def stock_requests(token: str, sku: str, n: int) -> list[Req]:
    return [Req("GET", f"/api/stock?item={quote(sku)}", None, (("Authorization", f"Bearer {token}"),))] * n


# --- bulk ledger ------------------------------------------------------------------------------------

class Ledger:
    """Direct database access for the bulk load (outside the app, like a data migration would)."""

    def __init__(self, db):
        self.db = db
        if db.backend == "sqlite":
            self.conn = sqlite3.connect(db.sqlite_path(), timeout=60, isolation_level=None)
            self.ph = "?"
        else:
            import psycopg
            self.conn = psycopg.connect(db.psycopg_url())
            self.ph = "%s"

    def q(self, sql: str, params=()) -> list[tuple]:
        return list(self.conn.execute(sql.replace("?", self.ph), params).fetchall())

    def close(self):
        self.conn.close()


def _ts(dt: datetime, backend: str):
    # SQLAlchemy's SQLite DateTime storage format (naive UTC, as server.db.UTCDateTime stores it).
    return dt.strftime("%Y-%m-%d %H:%M:%S.%f") if backend == "sqlite" else dt


def bulk_load(db, rows: int, *, hot_sku: str, seed: int = 42, chunk: int = 100_000) -> dict:
    """Append `rows` consistent movements to the ledger and bring stock_balances along."""
    t_start = time.perf_counter()
    rng = random.Random(seed)
    L = Ledger(db)
    try:
        items = {sku: iid for iid, sku, lot_tracked in L.q("SELECT id, sku, tracks_lot FROM items")
                 if not lot_tracked}
        locs = L.q("SELECT id, code_key, kind FROM locations")
        virtual = {code: lid for lid, code, kind in locs if kind == "virtual"}
        bins = sorted(lid for lid, code, kind in locs if kind == "bin")
        user_id = L.q("SELECT id FROM users WHERE username = ?", ("bench",))[0][0]
        supplier, customer = virtual["SUPPLIER"], virtual["CUSTOMER"]
        # Current balances (no-lot rows of the items we touch): the bulk load continues from them.
        bal: dict[tuple[int, int], int] = {}
        bal_id: dict[tuple[int, int], int] = {}
        for bid, iid, lid, qty in L.q("SELECT id, item_id, location_id, qty FROM stock_balances WHERE lot = ''"):
            bal[(iid, lid)] = qty
            bal_id[(iid, lid)] = bid
        hot = items[hot_sku]
        item_ids = sorted(items.values())
        home = {iid: rng.sample(bins, ITEM_BINS) for iid in item_ids}
        home[hot] = rng.sample(bins, min(HOT_BINS, len(bins)))
        bin_set, virt_ids = set(bins), set(virtual.values())
        stocked: dict[int, set] = {}
        for (i, lid) in bal:
            if lid in bin_set:
                stocked.setdefault(i, set()).add(lid)
        for iid in item_ids:  # bins already stocked belong to the item too
            home[iid] = sorted(set(home[iid]) | stocked.get(iid, set()))
        now = datetime.now(timezone.utc)
        t0 = now - timedelta(days=365)
        step = timedelta(days=365) / max(rows, 1)
        counts = {"receive": 0, "move": 0, "ship": 0}

        def generate(start: int, n: int):
            out = []
            for k in range(start, start + n):
                iid = hot if rng.random() < HOT_SHARE else rng.choice(item_ids)
                spots = home[iid]
                src_bin = rng.choice(spots)
                have = bal.get((iid, src_bin), 0)
                r = rng.random()
                if have == 0 or r < 0.25:      # receive into a bin
                    kind, src, dst, qty = "receive", supplier, src_bin, rng.randint(5, 60)
                elif r < 0.70:                   # move part of a bin to another of the item's bins
                    dst_bin = rng.choice(spots)
                    if dst_bin == src_bin:
                        dst_bin = spots[(spots.index(src_bin) + 1) % len(spots)]
                    kind, src, dst, qty = "move", src_bin, dst_bin, rng.randint(1, have)
                else:                            # ship to a customer
                    kind, src, dst, qty = "ship", src_bin, customer, rng.randint(1, min(have, 5))
                if src not in virt_ids:
                    bal[(iid, src)] = bal.get((iid, src), 0) - qty
                if dst not in virt_ids:
                    bal[(iid, dst)] = bal.get((iid, dst), 0) + qty
                counts[kind] += 1
                out.append((kind, iid, qty, src, dst, "", None, None, None, None, None, None, user_id,
                            "bulk-seed", None, _ts(t0 + step * k, db.backend)))
            return out

        cols = ", ".join(MOVE_COLUMNS)
        t_gen = t_ins = 0.0
        if db.backend == "sqlite":
            L.conn.execute("BEGIN IMMEDIATE")
            sql = f"INSERT INTO stock_moves ({cols}) VALUES ({', '.join('?' * len(MOVE_COLUMNS))})"
            for start in range(0, rows, chunk):
                a = time.perf_counter()
                batch = generate(start, min(chunk, rows - start))
                b = time.perf_counter()
                L.conn.executemany(sql, batch)
                t_gen += b - a
                t_ins += time.perf_counter() - b
        else:
            cur = L.conn.cursor()
            with cur.copy(f"COPY stock_moves ({cols}) FROM STDIN") as copy:
                for start in range(0, rows, chunk):
                    a = time.perf_counter()
                    batch = generate(start, min(chunk, rows - start))
                    b = time.perf_counter()
                    for row in batch:
                        copy.write_row(row)
                    t_gen += b - a
                    t_ins += time.perf_counter() - b
        stamp = _ts(now, db.backend)
        updates = [(q, stamp, bal_id[k]) for k, q in bal.items() if k in bal_id]
        inserts = [(k[0], k[1], "", None, q, 0, stamp) for k, q in bal.items() if k not in bal_id]
        assert all(q >= 0 for q in bal.values())
        ph = L.ph
        L.conn.cursor().executemany(f"UPDATE stock_balances SET qty = {ph}, updated_at = {ph} WHERE id = {ph}",
                                    updates)
        L.conn.cursor().executemany(
            "INSERT INTO stock_balances (item_id, location_id, lot, expiry, qty, reserved, updated_at) "
            f"VALUES ({', '.join([ph] * 7)})", inserts)
        L.conn.execute("COMMIT") if db.backend == "sqlite" else L.conn.commit()
        if db.backend == "sqlite":
            L.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            # autovacuum would analyze the new rows within a minute; do it now for a steady plan.
            L.conn.autocommit = True
            L.conn.execute("VACUUM ANALYZE stock_moves")
            L.conn.execute("VACUUM ANALYZE stock_balances")
        total = L.q("SELECT count(*) FROM stock_moves")[0][0]
        hot_locs = L.q("SELECT count(*) FROM stock_balances WHERE item_id = ? AND qty > 0", (hot,))[0][0]
        hot_moves = L.q("SELECT count(*) FROM stock_moves WHERE item_id = ?", (hot,))[0][0]
    finally:
        L.close()
    return {"rows_added": rows, "ledger_rows": total, "kinds": counts, "balances_updated": len(updates),
            "balances_inserted": len(inserts), "hot_item": hot_sku, "hot_item_moves": hot_moves,
            "hot_item_locations": hot_locs, "generate_s": round(t_gen, 1), "insert_s": round(t_ins, 1),
            "wall_s": round(time.perf_counter() - t_start, 1),
            "analyzed": db.backend == "postgresql"}


def verify(env) -> dict:
    t = time.perf_counter()
    proc = flask_cli(env, "inventory", "verify", check=False)
    wall = time.perf_counter() - t
    last = (proc.stdout.strip().splitlines() or [""])[-1]
    return {"seconds": round(wall, 2), "exit": proc.returncode, "output": last, "ok": proc.returncode == 0 and last == "ok"}


# --- the run --------------------------------------------------------------------------------------

def _pair(srv, db, name, make_test, clients, args, mode, expect=(200,)):
    per_round = max(1, args.requests // args.rounds)
    make = {"healthz": lambda rnd: split(healthz_requests(per_round), clients),
            name: lambda rnd: make_test(per_round)}
    quiet = wait_for_quiet(args.quiet_wait) if args.quiet_wait else None
    if quiet:
        log(f"machine before measuring: {quiet}")
    pooled, slices = interleaved(srv.port, make, rounds=args.rounds, expect={name: expect},
                                 max_seconds=args.max_seconds / args.rounds, server=srv, db=db,
                                 driver_procs=args.driver_procs, connection=mode.connection)
    h, t = pooled["healthz"], pooled[name]
    for r in (h, t):
        log(f"[{db.backend}] {mode.name:17s} {r.label:8s} c={clients:<3d} {r.rps:8.1f} req/s  "
            f"p50 {r.p50_ms:7.2f} ms  p99 {r.p99_ms:7.2f} ms  statuses {r.statuses} errors {r.errors} reconnects {r.reconnects}  cores: "
            f"driver {r.driver_cores} server {r.server_cores} db {r.db_cores} others {r.other_cores}")
    return {"mode": mode.name, "worker_class": mode.worker_class, "connection": mode.connection, "clients": clients,
            "healthz": h.row(), name: t.row(),
            "rps_ratio": round(t.rps / h.rps, 3) if h.rps else None,
            "p99_ratio": round(t.p99_ms / h.p99_ms, 2) if h.p99_ms else None,
            "rounds": ratio_summary(slices["healthz"], slices[name]), "quiet": quiet}


def run_backend(backend: str, args) -> dict:
    first = args.modes[0]
    res: dict = {"backend": backend, "workers": args.workers, "threads": args.threads,
                 "keepalive_s": args.keepalive, "modes": [m.name for m in args.modes]}

    def server(worker_class: str) -> Server:
        return Server(env, tmpdir, workers=args.workers, threads=args.threads, worker_class=worker_class,
                      keepalive=args.keepalive)

    with tempfile.TemporaryDirectory(prefix="sf-bench-moves-") as tmp, \
            database(backend, Path(tmp), pg_durable=args.pg_durable) as db:
        tmpdir = Path(tmp)
        res["database"] = db.note
        log(f"[{backend}] {db.note}")
        env, token = prepare_app(db, tmpdir)
        state: dict = {}
        cat = None
        res["moves"] = []
        for worker_class, modes in by_worker_class(args.modes).items():
            with server(worker_class) as srv:
                if cat is None:
                    cat = seed_catalogue(Api(srv.port, token), movers=max(args.clients))
                    hot_sku = [it["sku"] for it in cat.items if it["lot"] is None][-1]
                for mode in modes:
                    conn = mode.connection
                    for clients in args.clients:
                        warm = max(2, args.warmup // clients)
                        run_load("warmup", srv.port, split(healthz_requests(args.warmup), clients), max_seconds=30,
                                 connection=conn)
                        run_load("warmup", srv.port, move_requests(cat, token, clients, warm, state), max_seconds=30,
                                 expect=(201,), connection=conn)
                        res["moves"].append(_pair(
                            srv, db, "moves", lambda n, c=clients: move_requests(cat, token, c, max(1, n // c), state),
                            clients, args, mode, expect=(201,)))
                if first in modes:
                    res["stock_small_ledger"] = [
                        _pair(srv, db, "stock", lambda n, c=c: split(stock_requests(token, hot_sku, n), c), c, args,
                              first)
                        for c in args.lookup_clients]
        add_mode_ratios(res["moves"], "moves")
        res["verify_small_ledger"] = verify(env)
        log(f"[{backend}] verify on the small ledger: {res['verify_small_ledger']}")

        log(f"[{backend}] bulk-loading {args.rows:,} ledger rows ...")
        res["bulk"] = bulk_load(db, args.rows, hot_sku=hot_sku)
        log(f"[{backend}] bulk: {res['bulk']}")
        res["verify"] = verify(env)
        log(f"[{backend}] verify on {res['bulk']['ledger_rows']:,} rows: {res['verify']}")

        with server(first.worker_class) as srv:
            conn = first.connection
            run_load("warmup", srv.port, split(healthz_requests(args.warmup), 4), max_seconds=30, connection=conn)
            run_load("warmup", srv.port, split(stock_requests(token, hot_sku, args.warmup), 4), max_seconds=30,
                     connection=conn)
            res["stock_big_ledger"] = [
                _pair(srv, db, "stock", lambda n, c=c: split(stock_requests(token, hot_sku, n), c), c, args, first)
                for c in args.lookup_clients]
            c = 8 if 8 in args.clients else args.clients[-1]
            run_load("warmup", srv.port, move_requests(cat, token, c, 4, state), max_seconds=30, expect=(201,),
                     connection=conn)
            res["moves_big_ledger"] = _pair(
                srv, db, "moves", lambda n: move_requests(cat, token, c, max(1, n // c), state), c, args, first,
                expect=(201,))
        res["verify_after_moves"] = verify(env)
        log(f"[{backend}] verify after the moves on the big ledger: {res['verify_after_moves']}")
    return res


def print_tables(results: list[dict]) -> None:
    rows = []
    for res in results:
        for section, name in (("moves", "moves"), ("stock_small_ledger", "stock"), ("stock_big_ledger", "stock")):
            for r in res[section]:
                h, t = r["healthz"], r[name]
                rows.append([res["backend"], section if section != "moves" else "moves (POST /api/moves)",
                             r["mode"], r["clients"], h["rps"], t["rps"], r["rps_ratio"], h["p50_ms"], t["p50_ms"],
                             h["p99_ms"], t["p99_ms"], r["p99_ratio"], r.get("moves_rps_over_first_mode", ""),
                             f"{t['driver_cores']}/{t['server_cores']}/{t['db_cores']}/{t['other_cores']}"])
        r = res["moves_big_ledger"]
        h, t = r["healthz"], r["moves"]
        rows.append([res["backend"], "moves, big ledger", r["mode"], r["clients"], h["rps"], t["rps"], r["rps_ratio"],
                     h["p50_ms"], t["p50_ms"], h["p99_ms"], t["p99_ms"], r["p99_ratio"], "",
                     f"{t['driver_cores']}/{t['server_cores']}/{t['db_cores']}/{t['other_cores']}"])
    print(fmt_table(["backend", "what", "mode", "clients", "healthz req/s", "req/s", "ratio rps", "healthz p50", "p50",
                     "healthz p99", "p99", "ratio p99", "moves rps vs first mode", "driver/server/db/other cores"],
                    rows))
    print()
    vrows = []
    for res in results:
        b = res["bulk"]
        vrows.append([res["backend"], f"{b['ledger_rows']:,}", f"{b['hot_item_moves']:,}", b["hot_item_locations"],
                      b["wall_s"], res["verify_small_ledger"]["seconds"], res["verify"]["seconds"],
                      res["verify"]["output"], res["verify_after_moves"]["output"]])
    print(fmt_table(["backend", "ledger rows", "hot item moves", "hot item bins", "bulk load s", "verify s (small)",
                     "verify s (big)", "verify says", "after moves"], vrows))
    for res in results:
        print(f"{res['backend']}: {res['database']}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    p.add_argument("--rows", type=int, default=None, help="ledger rows to bulk-load (default 1,000,000; quick 20,000)")
    p.add_argument("--requests", type=int, default=None, help="requests per measured run (default 3000; quick 100)")
    p.add_argument("--clients", type=lambda s: [int(x) for x in s.split(",")], default=None,
                   help="move concurrency levels (default 1,8,32; quick 1,8)")
    p.add_argument("--lookup-clients", type=lambda s: [int(x) for x in s.split(",")], default=None,
                   help="stock lookup concurrency levels (default 1,8; quick 1)")
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--threads", type=int, default=1, help="threads per gthread worker (SHIPFLOOR_THREADS; the config default)")
    p.add_argument("--keepalive", type=int, default=5, help="gthread keep-alive seconds (SHIPFLOOR_KEEPALIVE)")
    p.add_argument("--modes", type=parse_modes, default=parse_modes(DEFAULT_MODES),
                   help=f"worker class/connection pairs for the moves, comma-separated (default {DEFAULT_MODES}); "
                        "stock lookups and the big ledger use the first")
    p.add_argument("--rounds", type=int, default=None, help="interleaved slices per measurement (default 4; quick 2)")
    p.add_argument("--warmup", type=int, default=64)
    p.add_argument("--max-seconds", type=float, default=60.0)
    p.add_argument("--driver-procs", type=int, default=None)
    p.add_argument("--quiet-wait", type=float, default=None,
                   help="wait up to this many seconds for an idle machine before each measurement (default 120; quick 0)")
    p.add_argument("--pg-durable", action="store_true")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)
    args.rows = args.rows if args.rows is not None else (20_000 if args.quick else 1_000_000)
    args.requests = args.requests or (100 if args.quick else 3000)
    args.clients = args.clients or ([1, 8] if args.quick else [1, 8, 32])
    args.lookup_clients = args.lookup_clients or ([1] if args.quick else [1, 8])
    args.rounds = args.rounds or (2 if args.quick else 4)
    if args.quiet_wait is None:
        args.quiet_wait = 0.0 if args.quick else 120.0
    if args.quick:
        args.warmup = min(args.warmup, 16)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    results = [run_backend(b, args) for b in backends]
    payload = {"benchmark": "movements", "started": started,
               "command": " ".join(["bench/movements.py", *(argv if argv is not None else sys.argv[1:])]),
               "machine": machine_info(), "requests_per_run": args.requests, "results": results}
    path = write_results("movements", payload, args.out)
    print_tables(results)
    print(f"results: {path}")
    return 0 if all(r["verify"]["ok"] and r["verify_after_moves"]["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
