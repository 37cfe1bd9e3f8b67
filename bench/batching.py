"""Building a pick batch from 1,000 open allocated orders (issue 8: "in under 2 s").

A fresh database with the demo warehouse (`flask demo`: 3 zones, 320 items, its stock and 72 orders), then
--orders more orders of 1-3 lines (1-2 units each) over the stocked items, all allocated first (timed once:
that is allocation, server/picking/allocation.py). Then, in this process (no HTTP), each measured step runs
--repeat times inside a transaction that is rolled back, so every run sees the same 1,000+ waiting orders:

- baseline: loading the allocated orders with their lines (the ORM, one SELECT each for orders and lines);
- build: batching.build_batch(size=--size): the candidates' reservations and bins in one query, choose_batch,
  the route (routing.route_order over the bins' coordinates), the batch, its totes and tasks, flushed;
- build, sort later: the same for a batch of single-unit orders.

Medians and maxima in milliseconds, and each build as a ratio to the baseline of the same run.

    .venv/bin/python bench/batching.py                       # SQLite, 1,000 orders, batches of 8
    .venv/bin/python bench/batching.py --backend postgresql --size 20
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import app_env, database, flask_cli, fmt_table, log, machine_info, write_results  # noqa: E402


def seed_orders(count: int, rng: random.Random) -> int:
    """count open orders over items that have stock, due over the next days."""
    import sqlalchemy as sa

    from server.db import utcnow
    from server.extensions import db
    from server.inventory.ledger_models import StockBalance
    from server.orders.models import Order, OrderLine

    stocked = [item_id for (item_id,) in db.session.execute(
        sa.select(StockBalance.item_id).group_by(StockBalance.item_id)
        .having(sa.func.sum(StockBalance.qty - StockBalance.reserved) >= 12).order_by(StockBalance.item_id))]
    now = utcnow()
    for n in range(count):
        order = Order(channel="bench", channel_order_id=f"BENCH-{n:05d}", ship_to_name="Bench Buyer",
                      ship_to_address1="1 Bench Road", ship_to_city="Austin", ship_to_postal_code="78701",
                      ship_to_country="US", ordered_at=now - timedelta(minutes=rng.randint(0, 3000)),
                      ship_by=now + timedelta(hours=rng.randint(1, 72)))
        for line_no, item_id in enumerate(rng.sample(stocked, rng.randint(1, 3)), start=1):
            order.lines.append(OrderLine(item_id=item_id, qty=rng.randint(1, 2), channel_line_id=str(line_no)))
        db.session.add(order)
    db.session.flush()
    return count


def timed(fn, repeat: int) -> tuple[list[float], object]:
    """Run fn `repeat` times, each in a transaction rolled back afterwards; → times (ms) and the last result."""
    from server.extensions import db

    times, result = [], None
    for _ in range(repeat):
        db.session.rollback()
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
        db.session.rollback()
    return times, result


def run(args) -> dict:
    import sqlalchemy as sa
    from sqlalchemy.orm import selectinload

    from server import create_app
    from server.config import Config
    from server.extensions import db
    from server.http import run_in_transaction
    from server.inventory.ledger import Actor
    from server.orders.models import Order, OrderStatus
    from server.picking import allocation, batching
    from server.picking.models import PickTask

    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="shipfloor-batching-") as tmp, \
            database(args.backend, Path(tmp)) as store:
        instance = Path(tmp) / "instance"
        instance.mkdir()
        env = app_env(store, instance)
        log("migrating and seeding the demo warehouse ...")
        flask_cli(env, "db", "upgrade")
        flask_cli(env, "demo")
        app = create_app(Config(env))
        actor = Actor(user_id=None)
        with app.app_context():
            run_in_transaction(seed_orders, args.orders, rng)
            t = time.perf_counter()
            result = run_in_transaction(lambda: allocation.allocate(actor=actor))
            allocate_ms = (time.perf_counter() - t) * 1000
            waiting = db.session.scalar(sa.select(sa.func.count()).select_from(Order)
                                        .where(Order.status == OrderStatus.ALLOCATED))
            still_open = db.session.scalar(sa.select(sa.func.count()).select_from(Order)
                                           .where(Order.status == OrderStatus.OPEN))
            log(f"{waiting} allocated orders waiting, {still_open} open (short); allocation took {allocate_ms:.0f} ms")

            def load_orders():
                return list(db.session.scalars(sa.select(Order).where(Order.status == OrderStatus.ALLOCATED)
                                               .options(selectinload(Order.lines))))

            def build(sort_later=False):
                def go():
                    batch = batching.build_batch(size=args.size, sort_later=sort_later, actor=actor)
                    tasks = db.session.scalar(sa.select(sa.func.count()).select_from(PickTask)
                                              .where(PickTask.batch_id == batch.id))
                    return {"orders": len(batch.orders), "tasks": tasks, "route_m": batch.route_m}
                return go

            rows, out = [], {}
            base_ms, loaded = timed(load_orders, args.repeat)
            base = statistics.median(base_ms)
            for label, fn in (("load allocated orders (baseline)", load_orders), ("build_batch", build()),
                              ("build_batch sort-later", build(True))):
                times, got = (base_ms, loaded) if fn is load_orders else timed(fn, args.repeat)
                med = statistics.median(times)
                shape = f"{len(got)} orders" if isinstance(got, list) else \
                    f"{got['orders']} orders, {got['tasks']} tasks, {got['route_m']} m"
                out[label] = {"median_ms": round(med, 1), "max_ms": round(max(times), 1),
                              "ratio_to_baseline": round(med / base, 2), "result": shape}
                rows.append([label, f"{med:.1f}", f"{max(times):.1f}", f"{med / base:.2f}x", shape])
        print(f"\n{waiting} allocated orders waiting ({still_open} short), batches of {args.size}, "
              f"{args.backend}, {args.repeat} runs each\n")
        print(fmt_table(["step", "median ms", "max ms", "vs baseline", "result"], rows))
        return {"bench": "batching", "backend": args.backend, "db": store.note, "machine": machine_info(),
                "orders_waiting": waiting, "orders_short": still_open, "size": args.size,
                "allocation_ms": round(allocate_ms, 1), "allocation": {"allocated": len(result.allocated),
                                                                       "short": len(result.short)},
                "steps": out, "limit_ms": 2000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--size", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    payload = run(args)
    print(f"\nresults: {write_results('batching', payload, args.out)}")


if __name__ == "__main__":
    main()
