"""Smoke runs of the benchmarks in bench/: they start, finish and report sane rows.

Speed is measured by the benchmarks themselves and reported as ratios against a baseline of the same
run (bench/RESULTS.md); nothing here asserts how fast anything is, only that every measured row
got answers, that they were the expected ones, and that the ledger stayed consistent.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.bench

ROOT = Path(__file__).resolve().parents[2]
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PYTHON = str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable


def run_bench(script: str, tmp_path: Path, *args: str) -> tuple[dict, str]:
    out = tmp_path / "results.json"
    proc = subprocess.run([PYTHON, f"bench/{script}", *args, "--out", str(out)], cwd=ROOT, capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, f"{script} failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return json.loads(out.read_text()), proc.stdout


def assert_answered(row: dict, label: str) -> None:
    assert row["requests"] > 0, (label, row)
    assert row["rps"] > 0, (label, row)
    assert row["p50_ms"] > 0 and row["p99_ms"] >= row["p50_ms"], (label, row)
    assert row["errors"] == 0, (label, row)
    assert row["unexpected"] == 0, (label, row["statuses"])


def assert_connections(row: dict, label: str) -> None:
    """Kept-alive clients never reconnect (the server honours keep-alive); the others reconnect every time."""
    want = 0 if row["connection"] == "keepalive" else row[label]["requests"]
    assert row[label]["reconnects"] == want, (row["mode"], label, row[label])


def test_scan_benchmark_on_sqlite_reports_every_row_of_every_mode(tmp_path):
    res, stdout = run_bench("scan.py", tmp_path, "--backend", "sqlite", "--quick", "--requests", "24",
                            "--clients", "1,4", "--rounds", "1", "--workers", "2",
                            "--modes", "gthread/keepalive,sync/new")
    [backend] = res["results"]
    assert backend["backend"] == "sqlite"
    assert [(r["mode"], r["clients"]) for r in backend["rows"]] == [
        ("gthread/keepalive", 1), ("gthread/keepalive", 4), ("sync/new", 1), ("sync/new", 4)]
    for r in backend["rows"]:
        assert_answered(r["healthz"], "healthz")
        assert_answered(r["scan"], "scan")
        assert_connections(r, "healthz")
        assert_connections(r, "scan")
        assert set(r["scan"]["statuses"]) <= {"200", "404"}
        assert r["rps_ratio_scan_over_healthz"] > 0
        assert r["vs_mode"] == "gthread/keepalive" and r["scan_rps_over_first_mode"] > 0
    assert "scan/healthz" in stdout and "results:" in stdout


def test_scan_benchmark_on_postgresql_reports_every_row(tmp_path, request):
    chosen = request.config.getoption("--backend", default=None)
    if chosen and "postgresql" not in chosen:
        pytest.skip("--backend excludes postgresql")
    res, _ = run_bench("scan.py", tmp_path, "--backend", "postgresql", "--quick", "--requests", "12",
                       "--clients", "1,3", "--rounds", "1", "--workers", "2", "--modes", "gthread/new")
    [backend] = res["results"]
    assert backend["backend"] == "postgresql" and "NOT durable" in backend["database"]
    for r in backend["rows"]:
        assert_answered(r["healthz"], "healthz")
        assert_answered(r["scan"], "scan")
        assert_connections(r, "scan")


def test_movements_benchmark_on_sqlite_keeps_the_ledger_consistent(tmp_path):
    res, stdout = run_bench("movements.py", tmp_path, "--backend", "sqlite", "--quick", "--rows", "3000",
                            "--requests", "16", "--clients", "1,4", "--rounds", "1", "--workers", "2",
                            "--modes", "gthread/keepalive,sync/new")
    [backend] = res["results"]
    assert [(r["mode"], r["clients"]) for r in backend["moves"]] == [
        ("gthread/keepalive", 1), ("gthread/keepalive", 4), ("sync/new", 1), ("sync/new", 4)]
    assert backend["moves_big_ledger"]["mode"] == "gthread/keepalive"
    for r in backend["moves"] + [backend["moves_big_ledger"]]:
        assert_answered(r["healthz"], "healthz")
        assert_answered(r["moves"], "moves")
        assert_connections(r, "moves")
        assert set(r["moves"]["statuses"]) == {"201"}
    for r in backend["stock_small_ledger"] + backend["stock_big_ledger"]:
        assert_answered(r["stock"], "stock")
    assert backend["bulk"]["rows_added"] == 3000
    assert backend["bulk"]["ledger_rows"] >= 3000
    for key in ("verify_small_ledger", "verify", "verify_after_moves"):
        assert backend[key]["output"] == "ok" and backend[key]["exit"] == 0, (key, backend[key])
    assert "verify says" in stdout
