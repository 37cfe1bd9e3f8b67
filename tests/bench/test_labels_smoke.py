"""Smoke run of bench/labels.py: labels a second are measured, and every pack scan of every slice packed a unit
(200, none refused: the plan gave each packer exactly the units it scans)."""

from __future__ import annotations

import pytest

from tests.bench.test_bench_smoke import assert_answered, run_bench

pytestmark = pytest.mark.bench


def test_labels_benchmark_on_sqlite_measures_labels_and_every_pack_scan_packs(tmp_path):
    res, stdout = run_bench("labels.py", tmp_path, "--backend", "sqlite", "--quick", "--label-seconds", "0.2",
                            "--requests", "16", "--clients", "1,2", "--warmup", "2")
    assert res["labels"]["shipping_label_203dpi_per_s"] > 0 and res["labels"]["shipping_label_300dpi_per_s"] > 0
    [backend] = res["results"]
    assert [row["clients"] for row in backend["rows"]] == [1, 2]
    for row in backend["rows"]:
        assert_answered(row["healthz"], "healthz")
        assert_answered(row["pack_scan"], "pack_scan")
        assert set(row["pack_scan"]["statuses"]) == {"200"} and row["pack_scan"]["requests"] == 16
        assert row["rps_ratio_scan_over_healthz"] > 0
    assert "pack scan req/s" in stdout
