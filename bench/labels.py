"""Labels and packing (issue 9): 4x6 shipping labels made per second on one core, and pack-scan throughput over
HTTP beside GET /healthz in the same run.

(a) labels.templates.shipping_label (labels/benchmark.py: each label its own addressee, tracking number and
    SSCC) in this one process — one core — for --label-seconds at 203 dpi and at 300 dpi; the aim is 1,000
    labels a second or more. The preview (labels.preview.svg, what the supervisor pages draw) is timed too.
(b) POST /api/packing/orders/<id>/scan under gunicorn (bench/common.py's Server), as packers at pack stations
    scan one unit at a time: a fresh database, migrated; bins, pack stations, carts of totes and items seeded in
    this process through the real services; orders allocated, batched, picked into their totes and started at a
    pack station, one order per packer and round, so every scan packs a unit (a ledger movement tote →
    carton consuming the reservation). Then at each concurrency the scans and the /healthz baseline run in
    interleaved slices (bench/common.py interleaved) on the same server; the ratio is scan req/s over healthz
    req/s of the same slices.

    .venv/bin/python bench/labels.py                       # both backends, 1 and 8 packers
    .venv/bin/python bench/labels.py --backend sqlite --quick
    .venv/bin/python bench/labels.py --labels-only
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (BENCH_USER, Req, Server, database, fmt_table, gtin13, healthz_requests,  # noqa: E402
                          interleaved, log, machine_info, prepare_app, ratio_summary, run_load, split,
                          wait_for_quiet, write_results)

AIM_LABELS_PER_SECOND = 1000
ITEMS = 8  # SKUs the orders are made of (one line each)
TOTES_PER_CART = 8  # a batch's orders, one tote each (PICK_BATCH_SIZE's default)


# --- (a) labels a second ---------------------------------------------------------------------------------

def label_rates(seconds: float) -> dict:
    from labels.benchmark import sample_labels, shipping_labels_per_second
    from labels.preview import svg
    from labels.templates import shipping_label

    out = {}
    for dpi in (203, 300):
        rate = shipping_labels_per_second(seconds, dpi=dpi)
        out[f"shipping_label_{dpi}dpi_per_s"] = round(rate)
        log(f"shipping_label at {dpi} dpi: {rate:,.0f} labels/s on one core")
    zpl = [shipping_label(data) for data in sample_labels(50)]
    start, done = time.perf_counter(), 0
    while time.perf_counter() - start < seconds / 2:
        for label in zpl:
            svg(label)
        done += len(zpl)
    out["preview_svg_per_s"] = round(done / (time.perf_counter() - start))
    out["zpl_bytes"] = len(zpl[0])
    log(f"labels.preview.svg: {out['preview_svg_per_s']:,} previews/s")
    return out


# --- (b) pack scans over HTTP ----------------------------------------------------------------------------

def plan(args) -> list[tuple[int, int, int]]:
    """The orders the run packs: (clients, round (-1: warm-up), units) per order, one order per client and
    round, each with exactly the units its client scans in that slice."""
    per_round = max(1, args.requests // args.rounds)
    orders = []
    for clients in args.clients:
        units = -(-per_round // clients)  # ceil: the last client may scan one unit fewer
        orders += [(clients, -1, args.warmup)] * clients
        orders += [(clients, rnd, units) for rnd in range(args.rounds) for _ in range(clients)]
    return orders


def seed(env: dict, orders: list[tuple[int, int, int]]) -> dict:
    """Floor, items and the planned orders picked and started at a pack station, in this process through the
    services; → {(clients, round): [(order id, code to scan), ...]} (a client's order at index client)."""
    import sqlalchemy as sa

    from server import create_app
    from server.auth.models import User
    from server.catalog.services import create_item
    from server.config import Config
    from server.db import utcnow
    from server.extensions import db
    from server.http import run_in_transaction
    from server.inventory.codes import LocationKind
    from server.inventory.ledger import Actor
    from server.inventory.locations import create_location, get_or_create_zone
    from server.inventory.models import Location
    from server.inventory.moves import adjust_stock
    from server.orders.models import Order, OrderLine
    from server.packing.services import start_packing
    from server.picking import batching
    from server.picking.services import confirm_pick, start_batch_on_cart

    app = create_app(Config(env))
    carts = -(-len(orders) // TOTES_PER_CART)
    stations = max(c for c, _r, _u in orders)
    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id).where(User.username == BENCH_USER))
        actor = Actor(user_id=user_id, device_id="bench-seed")

        def floor():
            zone, dock = get_or_create_zone("A"), get_or_create_zone("S")
            for n in range(1, stations + 1):
                create_location(f"PACK-{n}", kind=LocationKind.PACK_STATION, zone=dock, pickable=False)
            stage = create_location("STAGE-1", kind=LocationKind.STAGING, zone=dock, pickable=False)
            for c in range(1, carts + 1):
                cart = create_location(f"CART-{c}", kind=LocationKind.CART, parent=stage, pickable=False)
                for t in range(1, TOTES_PER_CART + 1):
                    create_location(f"TOTE-{c:03d}-{t}", kind=LocationKind.TOTE, parent=cart, pickable=False)
            needed = sum(u for _c, _r, u in orders)
            item_ids = []
            for n in range(ITEMS):
                create_location(f"A-{n + 1:02d}", kind=LocationKind.BIN, zone=zone, aisle=1, bay=n + 1, level="A",
                                pick_sequence=n + 1, x=1.0, y=float(n + 1))
                item = create_item(f"PK-{n:02d}", f"Bench pack item {n}", barcodes=[gtin13(500 + n)], unit="each",
                                   weight_g=300, length_mm=100, width_mm=80, height_mm=60)
                adjust_stock(item_code=item.sku, location_code=f"A-{n + 1:02d}", delta=needed,
                             reason="opening_balance", actor=actor)
                item_ids.append(item.id)
            now = utcnow()
            for n, (_clients, _rnd, units) in enumerate(orders):
                # Due one after another: batched, picked and so packed in plan order.
                order = Order(channel="bench", channel_order_id=f"PACK-BENCH-{n:05d}", ship_to_name="Bench Buyer",
                              ship_to_address1="1 Bench Road", ship_to_city="Austin", ship_to_postal_code="78701",
                              ship_to_country="US", ordered_at=now, ship_by=now + timedelta(minutes=10 + n))
                order.lines.append(OrderLine(item_id=item_ids[n % ITEMS], qty=units, channel_line_id="1"))
                db.session.add(order)
            db.session.flush()

        run_in_transaction(floor)
        started = {}
        for c in range(1, carts + 1):
            def pick(c=c):
                batch = batching.build_batch(size=TOTES_PER_CART, actor=actor, release=True)
                start_batch_on_cart(f"CART-{c}", actor=actor)
                totes = {bo.tote_number: db.session.get(Location, bo.tote_id).code for bo in batch.orders}
                for task in list(batch.tasks):
                    confirm_pick(task, location_code=task.location.code, item_code=task.item.sku, qty=task.qty,
                                 tote_code=totes[task.tote_number], actor=actor)
                return [(bo.order_id, totes[bo.tote_number]) for bo in batch.orders]

            for order_id, tote in run_in_transaction(pick):
                started[order_id] = tote
        plan_ids = list(db.session.scalars(sa.select(Order.id).where(Order.channel == "bench").order_by(Order.id)))
        by_slice: dict = {}
        for order_id, (clients, rnd, _units) in zip(plan_ids, orders):
            slot = by_slice.setdefault((clients, rnd), [])
            station = f"PACK-{len(slot) + 1}"
            run_in_transaction(lambda: start_packing(started[order_id], station=station, actor=actor))
            n = plan_ids.index(order_id)
            slot.append((order_id, gtin13(500 + n % ITEMS)))  # the EAN-13 on the unit, as a scanner reads it
        missing = [o for o in plan_ids if o not in started]
        if missing:
            raise RuntimeError(f"{len(missing)} orders were not picked")
        return by_slice


def scan_requests(token: str, slot: list[tuple[int, str]], units: int) -> list[list[Req]]:
    """Per client: `units` unit scans of its order, each a write with its own Idempotency-Key."""
    per_client = []
    for client, (order_id, code) in enumerate(slot):
        body = json.dumps({"code": code}).encode()
        per_client.append([Req("POST", f"/api/packing/orders/{order_id}/scan", body,
                               (("Authorization", f"Bearer {token}"), ("Content-Type", "application/json"),
                                ("Idempotency-Key", uuid.uuid4().hex), ("X-Device-Id", f"bench-pack-{client}")))
                           for _ in range(units)])
    return per_client


def run_backend(backend: str, args) -> dict:
    orders = plan(args)
    with tempfile.TemporaryDirectory(prefix="sf-bench-labels-") as tmp, database(backend, Path(tmp)) as db:
        tmpdir = Path(tmp)
        log(f"[{backend}] {db.note}")
        env, token = prepare_app(db, tmpdir)
        t = time.perf_counter()
        slices = seed(env, orders)
        log(f"[{backend}] {len(orders)} orders picked and started at their pack stations in "
            f"{time.perf_counter() - t:.1f}s")
        rows = []
        with Server(env, tmpdir, workers=args.workers, worker_class="gthread") as srv:
            for clients in args.clients:
                per_round = max(1, args.requests // args.rounds)
                units = -(-per_round // clients)
                run_load("warmup", srv.port, split(healthz_requests(args.warmup * clients), clients), max_seconds=30)
                run_load("warmup", srv.port, scan_requests(token, slices[(clients, -1)], args.warmup),
                         max_seconds=60)
                quiet = wait_for_quiet(args.quiet_wait) if args.quiet_wait else None
                make = {"healthz": lambda rnd, c=clients: split(healthz_requests(units * c), c),
                        "pack_scan": lambda rnd, c=clients, u=units: scan_requests(token, slices[(c, rnd)], u)}
                pooled, per_slice = interleaved(srv.port, make, rounds=args.rounds, expect={},
                                                max_seconds=args.max_seconds / args.rounds, server=srv, db=db)
                h, s = pooled["healthz"], pooled["pack_scan"]
                for r in (h, s):
                    log(f"[{backend}] {r.label:9s} c={clients:<3d} {r.rps:8.1f} req/s  p50 {r.p50_ms:7.2f} ms  "
                        f"p99 {r.p99_ms:7.2f} ms  statuses {r.statuses}  cores: server {r.server_cores} "
                        f"db {r.db_cores} others {r.other_cores}")
                rows.append({"clients": clients, "healthz": h.row(), "pack_scan": s.row(),
                             "rps_ratio_scan_over_healthz": round(s.rps / h.rps, 3) if h.rps else None,
                             "p50_ratio_scan_over_healthz": round(s.p50_ms / h.p50_ms, 2) if h.p50_ms else None,
                             "rounds": ratio_summary(per_slice["healthz"], per_slice["pack_scan"]),
                             "quiet": quiet})
        return {"backend": backend, "database": db.note, "workers": args.workers, "rows": rows}


def print_tables(labels: dict | None, results: list[dict]) -> None:
    if labels:
        print(fmt_table(["what", "per second (one core)", f"aim {AIM_LABELS_PER_SECOND}/s"], [
            ["4x6 shipping label, 203 dpi", labels["shipping_label_203dpi_per_s"],
             "yes" if labels["shipping_label_203dpi_per_s"] >= AIM_LABELS_PER_SECOND else "no"],
            ["4x6 shipping label, 300 dpi", labels["shipping_label_300dpi_per_s"],
             "yes" if labels["shipping_label_300dpi_per_s"] >= AIM_LABELS_PER_SECOND else "no"],
            ["SVG preview of a 4x6 label", labels["preview_svg_per_s"], ""]]))
    rows = []
    for res in results:
        for r in res["rows"]:
            h, s = r["healthz"], r["pack_scan"]
            rows.append([res["backend"], r["clients"], h["rps"], s["rps"], r["rps_ratio_scan_over_healthz"],
                         r["rounds"]["rps_ratio_median"], h["p50_ms"], s["p50_ms"], s["p99_ms"],
                         s["statuses"], s["unexpected"]])
    if rows:
        print(fmt_table(["backend", "packers", "healthz req/s", "pack scan req/s", "scan/healthz",
                         "median of rounds", "healthz p50", "scan p50", "scan p99", "scan statuses", "unexpected"],
                        rows))
        for res in results:
            print(f"{res['backend']}: {res['database']}; gunicorn gthread, {res['workers']} workers")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    p.add_argument("--label-seconds", type=float, default=None, help="seconds per label timing (default 3; quick 1)")
    p.add_argument("--labels-only", action="store_true", help="only (a): labels a second")
    p.add_argument("--requests", type=int, default=None, help="pack scans per concurrency (default 2000; quick 200)")
    p.add_argument("--clients", type=lambda s: [int(x) for x in s.split(",")], default=None,
                   help="packers scanning at once, comma-separated (default 1,8)")
    p.add_argument("--rounds", type=int, default=None, help="interleaved slices (default 4; quick 2)")
    p.add_argument("--workers", type=int, default=4, help="gunicorn workers (SHIPFLOOR_WORKERS)")
    p.add_argument("--warmup", type=int, default=10, help="warm-up scans per packer")
    p.add_argument("--max-seconds", type=float, default=120.0, help="wall-clock limit of each concurrency")
    p.add_argument("--quiet-wait", type=float, default=None,
                   help="wait up to this many seconds for an idle machine before measuring (default 60; quick 0)")
    p.add_argument("--quick", action="store_true", help="smoke run: few requests")
    p.add_argument("--out", default=None, help="JSON results path (default bench/results/labels-<time>.json)")
    args = p.parse_args(argv)
    args.label_seconds = args.label_seconds or (1.0 if args.quick else 3.0)
    args.requests = args.requests or (200 if args.quick else 2000)
    args.clients = args.clients or [1, 8]
    args.rounds = args.rounds or (2 if args.quick else 4)
    if args.quiet_wait is None:
        args.quiet_wait = 0.0 if args.quick else 60.0
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    labels = label_rates(args.label_seconds)
    backends = [] if args.labels_only else (["sqlite", "postgresql"] if args.backend == "both" else [args.backend])
    results = [run_backend(b, args) for b in backends]
    payload = {"benchmark": "labels", "started": started, "command": " ".join(["bench/labels.py", *(argv or sys.argv[1:])]),
               "machine": machine_info(), "aim": f"shipping labels >= {AIM_LABELS_PER_SECOND}/s on one core",
               "labels": labels, "pack_scan_requests": args.requests, "results": results}
    path = write_results("labels", payload, args.out)
    print_tables(labels, results)
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
