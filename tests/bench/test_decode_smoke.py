"""Smoke run of bench/decode.py on a handful of images: every decoder ran on every image, the tables add up and
the JSON holds what RESULTS.md quotes. How many the engine reads, and how fast, is the bench's to report."""

from __future__ import annotations

import pytest

from tests.bench.test_bench_smoke import run_bench

pytestmark = pytest.mark.bench


def test_decode_benchmark_compares_the_three_decoders_on_the_same_images(tmp_path, shared_dir):
    res, stdout = run_bench("decode.py", tmp_path, "--limit", "10", "--repeat", "1", "--large", "1",
                            "--quiet-wait", "0")
    for name in ("manifest", "tilted"):
        part = res[name]
        *per_symbology, total = part["per_symbology"]
        assert total["symbology"] == "all" and total["images"] == len(part["rows"]) > 0
        for key in ("images", "pyzbar", "zxing-cpp", "union", "engine"):
            assert total[key] == sum(row[key] for row in per_symbology)
        for row in part["per_symbology"]:
            assert max(row["pyzbar"], row["zxing-cpp"]) <= row["union"] <= row["images"]
            assert row["engine"] <= row["images"]
        for decoder in ("pyzbar", "zxing-cpp", "engine"):
            t = part["timings"][decoder]
            assert 0 < t["median_ms"] <= t["p95_ms"]
            assert all(r[decoder]["ms"] > 0 for r in part["rows"])
        assert part["timings"]["faster_baseline"] in ("pyzbar", "zxing-cpp")
    assert res["engine_stages"] and len(res["large"]["rows"]) == 1
    assert "engine − union" in stdout and "results:" in stdout
