"""POST /api/scan throughput and latency under gunicorn, beside a GET /healthz baseline.

For each backend: a fresh database, migrated; a catalogue of a few hundred items and locations
seeded through the API's CSV imports; gunicorn with SHIPFLOOR_WORKERS workers (default 4). Then, for
each serving mode (gunicorn worker class / client connection, see bench/common.py: threaded workers
with kept-alive connections, threaded with a new connection per request, sync workers) and each
concurrency (1, 8, 32 clients), the /healthz baseline and a realistic scan mix, interleaved on the
same server, each after a short warm-up. Every row's ratio is against the /healthz of the same mode
and concurrency; each mode's scan req/s is also given over the first mode's.

    .venv/bin/python bench/scan.py                      # both backends, 5000 requests a run
    .venv/bin/python bench/scan.py --backend sqlite --quick
    .venv/bin/python bench/scan.py --modes sync/new,gthread/keepalive --clients 8

Issue 6's aim: /api/scan at 0.6 of the /healthz req/s or more at 8 clients.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (DEFAULT_MODES, Api, Req, Server, add_mode_ratios, by_worker_class, database,  # noqa: E402
                          fmt_table, healthz_requests, interleaved, log, machine_info, parse_modes, prepare_app,
                          ratio_summary, run_load, seed_catalogue, split, wait_for_quiet, write_results)

AIM_RPS_RATIO = 0.6  # scan req/s over healthz req/s, same mode and concurrency
GS = "\x1d"

# kind of code, weight (per cent), expected status
MIX = [
    ("location", 20, 200), ("location-lowercase", 5, 200), ("tote", 5, 200),
    ("sku", 10, 200), ("sku-lowercase", 5, 200),
    ("gtin13", 10, 200), ("gtin13-aim-E0", 10, 200), ("upc-a-12", 5, 200),
    ("gs1-C1-gtin-expiry-lot-serial", 15, 200), ("gs1-C1-sscc-unknown", 5, 200),
    ("unknown", 10, 404),
]


def _sscc(rng: random.Random) -> str:
    body = "0" + "0614141" + f"{rng.randrange(10**9):09d}"
    return body + str(_check(body))


def _check(data: str) -> int:
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(data)))
    return (10 - total % 10) % 10


def make_code(kind: str, cat, rng: random.Random) -> str:
    item = rng.choice(cat.items)
    if kind == "location":
        return rng.choice(cat.bins)
    if kind == "location-lowercase":
        return rng.choice(cat.bins).lower()
    if kind == "tote":
        return rng.choice(cat.totes)
    if kind == "sku":
        return item["sku"]
    if kind == "sku-lowercase":
        return item["sku"].lower()
    if kind == "gtin13":
        return item["gtin13"]
    if kind == "gtin13-aim-E0":
        return "]E0" + item["gtin13"]
    if kind == "upc-a-12":
        return item["gtin13"][1:]  # the prefix starts with 0: the 13-digit form is a UPC-A with a 0 in front
    if kind == "gs1-C1-gtin-expiry-lot-serial":
        expiry = (date.today() + timedelta(days=rng.randrange(30, 700))).strftime("%y%m%d")
        lot = item["lot"] or f"LOT{rng.randrange(10**5):05d}"
        return f"]C101{'0' + item['gtin13']}17{expiry}10{lot}{GS}21S{rng.randrange(10**8):08d}"
    if kind == "gs1-C1-sscc-unknown":
        return f"]C100{_sscc(rng)}"
    if kind == "unknown":
        return f"NOPE-{rng.randrange(10**6):06d}"
    raise ValueError(kind)


def scan_requests(cat, token: str, n: int, seed: int, clients: int) -> list[Req]:
    rng = random.Random(seed)
    kinds = [k for k, w, _ in MIX for _ in range(w)]
    reqs = []
    for i in range(n):
        code = make_code(rng.choice(kinds), cat, rng)
        reqs.append(Req("POST", "/api/scan", json.dumps({"code": code}).encode(),
                        (("Authorization", f"Bearer {token}"), ("Content-Type", "application/json"),
                         ("X-Device-Id", f"bench-{i % clients}"))))
    return reqs


def check_mix(api: Api, cat) -> dict:
    """One scan of each kind, to show the mix resolves as intended (status and kind)."""
    rng = random.Random(1)
    seen = {}
    for kind, _w, want in MIX:
        code = make_code(kind, cat, rng)
        res = api.call("POST", "/api/scan", json.dumps({"code": code}).encode(),
                       {"Content-Type": "application/json"}, expect=(want,))
        seen[kind] = res.get("kind") or res.get("code")
    return seen


def run_backend(backend: str, args) -> dict:
    with tempfile.TemporaryDirectory(prefix="sf-bench-scan-") as tmp, \
            database(backend, Path(tmp), pg_durable=args.pg_durable) as db:
        tmpdir = Path(tmp)
        log(f"[{backend}] {db.note}")
        env, token = prepare_app(db, tmpdir)
        rows, cat = [], None
        for worker_class, modes in by_worker_class(args.modes).items():
            with Server(env, tmpdir, workers=args.workers, threads=args.threads, worker_class=worker_class,
                        keepalive=args.keepalive) as srv:
                if cat is None:
                    api = Api(srv.port, token)
                    t = time.perf_counter()
                    cat = seed_catalogue(api, n_items=args.items, movers=8)
                    log(f"[{backend}] seeded {len(cat.items)} items, {len(cat.bins)} bins, {len(cat.totes)} totes "
                        f"in {time.perf_counter() - t:.1f}s; mix check: {check_mix(api, cat)}")
                for mode in modes:
                    for clients in args.clients:
                        rows.append(measure(srv, db, cat, token, mode, clients, args))
        add_mode_ratios(rows, "scan")
        return {"backend": backend, "database": db.note, "workers": args.workers, "threads": args.threads,
                "keepalive_s": args.keepalive, "modes": [m.name for m in args.modes], "rows": rows}


def measure(srv, db, cat, token, mode, clients, args) -> dict:
    """/healthz and the scan mix, interleaved, at one mode and concurrency."""
    backend, conn = db.backend, mode.connection
    warm = max(4 * clients, args.warmup)
    run_load("warmup", srv.port, split(healthz_requests(warm), clients), max_seconds=30, connection=conn)
    run_load("warmup", srv.port, split(scan_requests(cat, token, warm, 7 + clients, clients), clients),
             max_seconds=30, expect=(200, 404), connection=conn)
    per_round = max(1, args.requests // args.rounds)
    make = {
        "healthz": lambda rnd: split(healthz_requests(per_round), clients),
        "scan": lambda rnd: split(scan_requests(cat, token, per_round, 1000 * clients + rnd, clients), clients),
    }
    if args.with_me:  # an authenticated no-op: what auth + framework cost, without resolving
        make["me"] = lambda rnd: split(
            [Req("GET", "/api/me", None, (("Authorization", f"Bearer {token}"),))] * per_round, clients)
    quiet = wait_for_quiet(args.quiet_wait) if args.quiet_wait else None
    if quiet:
        log(f"machine before measuring: {quiet}")
    pooled, slices = interleaved(srv.port, make, rounds=args.rounds, expect={"scan": (200, 404)},
                                 max_seconds=args.max_seconds / args.rounds, server=srv, db=db,
                                 driver_procs=args.driver_procs, connection=conn)
    h, s = pooled["healthz"], pooled["scan"]
    for r in pooled.values():
        log(f"[{backend}] {mode.name:17s} {r.label:8s} c={clients:<3d} {r.rps:8.1f} req/s  "
            f"p50 {r.p50_ms:7.2f} ms  p99 {r.p99_ms:7.2f} ms  statuses {r.statuses} errors {r.errors} reconnects {r.reconnects}  cores: "
            f"driver {r.driver_cores} server {r.server_cores} db {r.db_cores} others {r.other_cores}")
    row = {"mode": mode.name, "worker_class": mode.worker_class, "connection": conn, "clients": clients,
           "healthz": h.row(), "scan": s.row(),
           "rps_ratio_scan_over_healthz": round(s.rps / h.rps, 3) if h.rps else None,
           "slowdown_healthz_rps_over_scan": round(h.rps / s.rps, 2) if s.rps else None,
           "p99_ratio_scan_over_healthz": round(s.p99_ms / h.p99_ms, 2) if h.p99_ms else None,
           "p50_ratio_scan_over_healthz": round(s.p50_ms / h.p50_ms, 2) if h.p50_ms else None,
           "rounds": ratio_summary(slices["healthz"], slices["scan"]), "quiet": quiet}
    if "me" in pooled:
        row["me"] = pooled["me"].row()
        row["me_rps_ratio_over_healthz"] = round(pooled["me"].rps / h.rps, 3)
    return row


def print_table(results: list[dict]) -> None:
    headers = ["backend", "mode", "clients", "healthz req/s", "scan req/s", "scan/healthz rps", "healthz p50",
               "scan p50", "healthz p99", "scan p99", "scan/healthz p99", f"scan >= {AIM_RPS_RATIO}x",
               "scan rps vs first mode", "reconnects (scan)", "driver/server/db/other cores (scan)"]
    rows = []
    for res in results:
        for r in res["rows"]:
            h, s = r["healthz"], r["scan"]
            ok = (r["rps_ratio_scan_over_healthz"] or 0) >= AIM_RPS_RATIO
            rows.append([res["backend"], r["mode"], r["clients"], h["rps"], s["rps"], r["rps_ratio_scan_over_healthz"],
                         h["p50_ms"], s["p50_ms"], h["p99_ms"], s["p99_ms"], r["p99_ratio_scan_over_healthz"],
                         "yes" if ok else "no", r["scan_rps_over_first_mode"], s["reconnects"],
                         f"{s['driver_cores']}/{s['server_cores']}/{s['db_cores']}/{s['other_cores']}"])
    print(fmt_table(headers, rows))
    me_rows = [[res["backend"], r["mode"], r["clients"], r["me"]["rps"], r["me_rps_ratio_over_healthz"], r["me"]["p50_ms"],
                r["me"]["p99_ms"]] for res in results for r in res["rows"] if "me" in r]
    if me_rows:
        print(fmt_table(["backend", "mode", "clients", "GET /api/me req/s", "me/healthz rps", "me p50", "me p99"], me_rows))
    print(f"(latencies in ms; 'scan >= {AIM_RPS_RATIO}x' = scan req/s >= {AIM_RPS_RATIO} x healthz req/s of the same "
          "mode and clients; 'vs first mode' = scan req/s over the first mode's at the same clients)")
    for res in results:
        print(f"{res['backend']}: {res['database']}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    p.add_argument("--requests", type=int, default=None, help="requests per measured run (default 5000; quick 200)")
    p.add_argument("--clients", type=lambda s: [int(x) for x in s.split(",")], default=None,
                   help="concurrency levels, comma-separated (default 1,8,32; quick 1,8)")
    p.add_argument("--workers", type=int, default=4, help="gunicorn workers (SHIPFLOOR_WORKERS)")
    p.add_argument("--threads", type=int, default=1, help="threads per gthread worker (SHIPFLOOR_THREADS; the config default)")
    p.add_argument("--keepalive", type=int, default=5, help="gthread keep-alive seconds (SHIPFLOOR_KEEPALIVE)")
    p.add_argument("--modes", type=parse_modes, default=parse_modes(DEFAULT_MODES),
                   help=f"worker class/connection pairs, comma-separated (default {DEFAULT_MODES})")
    p.add_argument("--items", type=int, default=300)
    p.add_argument("--rounds", type=int, default=None,
                   help="interleaved healthz/scan slices per concurrency (default 4; quick 2)")
    p.add_argument("--with-me", action="store_true",
                   help="also measure GET /api/me (authenticated no-op) as a second baseline")
    p.add_argument("--warmup", type=int, default=100, help="warm-up requests before each measured run")
    p.add_argument("--max-seconds", type=float, default=60.0, help="wall-clock limit of each measured run")
    p.add_argument("--driver-procs", type=int, default=None, help="load-driver processes (default 1 for 1 client, else 2)")
    p.add_argument("--quiet-wait", type=float, default=None,
                   help="wait up to this many seconds for an idle machine before each measurement (default 120; quick 0)")
    p.add_argument("--pg-durable", action="store_true", help="PostgreSQL with fsync on (default off)")
    p.add_argument("--quick", action="store_true", help="smoke run: few requests, 1 and 8 clients")
    p.add_argument("--out", default=None, help="JSON results path (default bench/results/scan-<time>.json)")
    args = p.parse_args(argv)
    args.requests = args.requests or (200 if args.quick else 5000)
    args.clients = args.clients or ([1, 8] if args.quick else [1, 8, 32])
    args.rounds = args.rounds or (2 if args.quick else 4)
    if args.quiet_wait is None:
        args.quiet_wait = 0.0 if args.quick else 120.0
    if args.quick:
        args.warmup = min(args.warmup, 20)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    results = [run_backend(b, args) for b in backends]
    payload = {"benchmark": "scan", "started": started, "command": " ".join(["bench/scan.py", *(argv or sys.argv[1:])]),
               "machine": machine_info(), "requests_per_run": args.requests, "aim": f"scan req/s >= {AIM_RPS_RATIO}x healthz at 8 clients",
               "mix": [{"kind": k, "weight_pct": w, "expected_status": s} for k, w, s in MIX], "results": results}
    path = write_results("scan", payload, args.out)
    print_table(results)
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
