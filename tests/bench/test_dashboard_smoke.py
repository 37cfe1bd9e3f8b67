"""Smoke run of bench/dashboard.py on a small history: the generator writes a history whose ledger verifies, with
orders in every state the page counts and every seller metric measurable, and every measured request got its
expected answer (the bench stops on any other). No speed is asserted."""

from __future__ import annotations

import pytest

from tests.bench.test_bench_smoke import run_bench

pytestmark = pytest.mark.bench

MEASURED = ("healthz", "dashboard", "dashboard_cold", "live_200_all", "live_304", "live_200_one_scan")


def test_dashboard_bench_renders_a_generated_history_and_reports_every_request(tmp_path):
    result, stdout = run_bench("dashboard.py", tmp_path, "--backend", "sqlite", "--orders", "2000", "--moves",
                               "12000", "--scans", "5000", "--days", "20", "--runs", "2", "--quiet-wait", "0")
    [r] = result["results"]
    assert r["inventory_verify"] == "ok"
    assert r["tables"]["orders"] >= 2000 and r["tables"]["stock_moves"] >= 12000
    assert r["tables"]["scan_logs"] >= 5000
    assert set(r["data"]["moves_by_kind"]) >= {"receive", "putaway", "move", "pick", "pack", "ship", "adjust"}

    shown = r["shown"]
    for status in ("open", "allocated", "shipped", "cancelled"):
        assert shown["by_status"][status] > 0, status
    assert shown["by_urgency"]["later"] > 0 and shown["shipped_today"]["shipped"] > 0
    for key, metric in shown["metrics"].items():
        assert 0 < metric["numerator"] < metric["denominator"], key

    for name in MEASURED:
        row = r[name]
        assert row["n"] >= 1 and 0 < row["median_ms"] <= row["p95_ms"], (name, row)
    assert r["live_304"]["statuses"] == [304]
    assert r["live_200_all"]["statuses"] == r["live_200_one_scan"]["statuses"] == [200]
    drawn = {s["part"].removeprefix("section ") for s in r["sections"]} - {"live fingerprint"}
    assert set(r["one_scan_redraws"]) < drawn and r["one_scan_redraws"]  # only the sections that read scans
    assert r["dashboard"]["ratio_to_healthz"] > 1
    assert "first render median" in stdout and "results:" in stdout
