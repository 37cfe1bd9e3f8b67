"""Pick-route sequencing: walking distance of our route against simple and strong references (issue 8).

Generated single-block layouts of 10 to 40 aisles (3 m apart, 15–40 m long, depot at the front of the
first aisle). Each batch draws 1 to 20 orders of 1–3 lines; every line is a pick stop at a random place in a
random aisle. For every batch:

- ours: server/picking/routing.py `route_order` (best of S-shape, largest-gap and nearest-neighbour starts,
  each improved by 2-opt + Or-opt on the aisle metric);
- as listed: the lines walked in the order they were listed (order by order);
- S-shape: the traversal policy;
- reference: exact Held–Karp dynamic programming when a batch has at most --exact-max stops (default 11),
  otherwise the best of --restarts randomized 2-opt + Or-opt restarts (and of ours: the reference is the
  shortest route known for the batch).

The same on the demo warehouse (server/demo.py: zones A and C, 10 aisles of bins, 3 m apart, bays 1.2 m),
--demo-batches batches drawn from its bins' floor coordinates.

Batching: --sets sets of 8 orders on the same layouts, walking per order when the 8 go in one batch
against each order walked on its own trip (both with our route).

    .venv/bin/python bench/routing.py                  # 200 + 200 batches, a few seconds
    .venv/bin/python bench/routing.py --batches 50 --sets 20 --seed 3
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fmt_table, machine_info, write_results  # noqa: E402
from server.picking.routing import (Layout, exact_order, layout_from_points, route_length,  # noqa: E402
                                    route_order, s_shape_order, stops_from_points)


def demo_layout() -> tuple[Layout, list[tuple[int, float]]]:
    """The demo warehouse (server/demo.py): its pickable bins' floor coordinates as stops."""
    from server.demo import AISLE_SPACING_M, BAY_WIDTH_M, LAYOUT
    points = sorted({(aisle * AISLE_SPACING_M, bay * BAY_WIDTH_M)
                     for _z, _n, first, aisles, bays, _levels, kind in LAYOUT if kind.value == "bin"
                     for aisle in range(first, first + aisles) for bay in range(1, bays + 1)})
    layout = layout_from_points(points)
    return layout, stops_from_points(layout, points)


def make_layout(rng: random.Random) -> Layout:
    return Layout.regular(rng.randint(10, 40), spacing=3.0, length=float(rng.choice([15, 20, 30, 40])))


def make_orders(rng: random.Random, layout: Layout, count: int, places=None) -> list[list[tuple[int, float]]]:
    if places:
        return [[rng.choice(places) for _ in range(rng.randint(1, 3))] for _ in range(count)]
    aisles = len(layout.aisle_x)
    return [[(rng.randrange(aisles), round(rng.uniform(layout.front_y, layout.back_y) * 2) / 2)
             for _ in range(rng.randint(1, 3))] for _ in range(count)]


def reference(layout, stops, ours_len, args, seed) -> tuple[float, str]:
    if len(stops) <= args.exact_max:
        return route_length(layout, stops, exact_order(layout, stops, max_stops=args.exact_max)), "exact"
    best = route_length(layout, stops, route_order(layout, stops, restarts=args.restarts, seed=seed))
    return min(best, ours_len), "restarts"


def run(args) -> dict:
    rng = random.Random(args.seed)
    layouts = [make_layout(rng) for _ in range(args.layouts)]
    demo, demo_places = demo_layout()
    rows, t0 = [], time.perf_counter()
    route_time = 0.0
    for b in range(args.batches + args.demo_batches):
        on_demo = b >= args.batches
        layout = demo if on_demo else layouts[b % len(layouts)]
        orders = make_orders(rng, layout, rng.randint(1, 20), demo_places if on_demo else None)
        stops = [s for o in orders for s in o]
        t = time.perf_counter()
        ours = route_length(layout, stops, route_order(layout, stops))
        route_time += time.perf_counter() - t
        listed = route_length(layout, stops, list(range(len(stops))))
        s_shape = route_length(layout, stops, s_shape_order(layout, stops))
        ref, kind = reference(layout, stops, ours, args, seed=b)
        rows.append({"layout": "demo" if on_demo else "generated", "aisles": len(layout.aisle_x), "length": layout.back_y, "orders": len(orders),
                     "stops": len(stops), "ours": ours, "listed": listed, "s_shape": s_shape,
                     "reference": ref, "reference_kind": kind})
    batch_seconds = time.perf_counter() - t0

    per_order = []
    for k in range(args.sets):
        layout = layouts[k % len(layouts)]
        orders = make_orders(rng, layout, 8)
        stops = [s for o in orders for s in o]
        together = route_length(layout, stops, route_order(layout, stops)) / 8
        alone = statistics.mean(route_length(layout, o, route_order(layout, o)) for o in orders)
        per_order.append({"aisles": len(layout.aisle_x), "batched_per_order": together, "single_per_order": alone})

    def mean(key, subset=rows):
        return statistics.mean(r[key] for r in subset) if subset else float("nan")

    gen = [r for r in rows if r["layout"] == "generated"]
    groups = {"generated, all": gen,
              "exact reference (<= %d stops)" % args.exact_max: [r for r in gen if r["reference_kind"] == "exact"],
              "restart reference": [r for r in gen if r["reference_kind"] == "restarts"],
              "10-20 aisles": [r for r in gen if r["aisles"] <= 20],
              "21-40 aisles": [r for r in gen if r["aisles"] > 20],
              "demo layout (%d aisles)" % len(demo.aisle_x): [r for r in rows if r["layout"] == "demo"]}
    summary = {}
    for name, sub in groups.items():
        if not sub:
            continue
        summary[name] = {
            "batches": len(sub),
            "mean_stops": mean("stops", sub),
            "ours_m": mean("ours", sub), "listed_m": mean("listed", sub), "s_shape_m": mean("s_shape", sub),
            "reference_m": mean("reference", sub),
            "ratio_of_means_to_reference": mean("ours", sub) / mean("reference", sub),
            "mean_ratio_to_reference": statistics.mean(r["ours"] / r["reference"] if r["reference"] else 1.0
                                                       for r in sub),
            "worst_ratio_to_reference": max(r["ours"] / r["reference"] if r["reference"] else 1.0 for r in sub),
            "ours_vs_listed": mean("ours", sub) / mean("listed", sub),
            "ours_vs_s_shape": mean("ours", sub) / mean("s_shape", sub),
        }
    batched = statistics.mean(p["batched_per_order"] for p in per_order) if per_order else float("nan")
    single = statistics.mean(p["single_per_order"] for p in per_order) if per_order else float("nan")
    return {"machine": machine_info(), "args": vars(args), "seconds_batches": batch_seconds,
            "our_routing_seconds_total": route_time, "summary": summary,
            "batching": {"sets": len(per_order), "batched_per_order_m": batched, "single_per_order_m": single,
                         "saving": 1 - batched / single if single else float("nan")},
            "batches": rows, "sets": per_order}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--batches", type=int, default=200)
    p.add_argument("--demo-batches", type=int, default=200, help="batches on the demo layout (server/demo.py)")
    p.add_argument("--layouts", type=int, default=10, help="generated layouts the batches cycle through")
    p.add_argument("--sets", type=int, default=100, help="sets of 8 orders for the batching comparison")
    p.add_argument("--exact-max", type=int, default=11)
    p.add_argument("--restarts", type=int, default=20)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", help="write the JSON here instead of bench/results/")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    results = run(args)
    results["seconds_total"] = time.perf_counter() - t0
    headers = ["batches", "stops", "ours m", "listed m", "S-shape m", "ref m", "ours/ref", "mean ratio",
               "worst", "vs listed", "vs S-shape"]
    table = [[name, s["batches"], f"{s['mean_stops']:.1f}", f"{s['ours_m']:.1f}", f"{s['listed_m']:.1f}",
              f"{s['s_shape_m']:.1f}", f"{s['reference_m']:.1f}", f"{s['ratio_of_means_to_reference']:.4f}",
              f"{s['mean_ratio_to_reference']:.4f}", f"{s['worst_ratio_to_reference']:.4f}",
              f"{s['ours_vs_listed']:.3f}", f"{s['ours_vs_s_shape']:.3f}"]
             for name, s in results["summary"].items()]
    print(fmt_table(["group"] + headers, table))
    b = results["batching"]
    print(f"\nbatching ({b['sets']} sets of 8 orders): {b['batched_per_order_m']:.1f} m per order in a batch of 8, "
          f"{b['single_per_order_m']:.1f} m per order on its own trip: {b['saving']:.1%} less walking")
    print(f"our routing: {results['our_routing_seconds_total']:.2f} s for {args.batches + args.demo_batches} batches; "
          f"whole run {results['seconds_total']:.1f} s")
    path = write_results("routing", results, args.out)
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
