"""Smoke run of bench/late_shipments.py with a one-picker, one-packer team: it finishes, reports both policies on
the same arrivals, finds each policy's highest load under 4 % late, and ship-by batching is not worse than fifo on
a stressed fortnight. No speed is asserted."""

from __future__ import annotations

import pytest

from tests.bench.test_bench_smoke import run_bench

pytestmark = pytest.mark.bench


def test_late_shipments_compares_the_policies_on_the_same_orders(tmp_path):
    result, stdout = run_bench("late_shipments.py", tmp_path, "--pickers", "1", "--packers", "1",
                               "--loads", "150,300", "--step", "75")
    quiet, stressed = result["sweep"]
    assert (quiet["load"], stressed["load"]) == (150, 300)
    for row in (quiet, stressed):
        fifo, ship_by = row["fifo"], row["ship_by"]
        assert fifo["counted"] == ship_by["counted"] > 0 and fifo["orders"] == ship_by["orders"]
        assert 0 <= ship_by["late_rate"] <= 1 and 0 <= fifo["late_rate"] <= 1
    assert quiet["fifo"]["late_rate"] < 0.04
    assert stressed["fifo"]["late_rate"] > 0.04
    assert stressed["ship_by"]["late_rate"] <= stressed["fifo"]["late_rate"]
    assert stressed["ship_by"]["walk_per_order_m"] < stressed["fifo"]["walk_per_order_m"]

    runs = {(r["load"], r["policy"]): r["late_rate"] for r in result["runs"]}
    for policy in ("fifo", "ship_by"):
        best, worst = result["highest_load_under_4pct"][policy], result["lowest_load_over_4pct"][policy]
        assert runs[(best, policy)] < 0.04 <= runs[(worst, policy)] and 0 < worst - best <= 75
    fail = result["at_fifo_failing_load"]
    assert fail["load"] == result["lowest_load_over_4pct"]["fifo"] and fail["fifo"] >= 0.04
    assert fail["ship_by"] == runs[(fail["load"], "ship_by")]
    assert "at the load where fifo passes 4 %" in stdout and "results:" in stdout
