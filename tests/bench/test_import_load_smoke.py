"""Smoke run of bench/import_load.py on SQLite: a job-sized import (just over the inline limit) through the
API and the supervisor page while two floor clients scan and move; every floor request is answered, the
job ends done with every row, and the ledger stays consistent. No speed is asserted."""

from __future__ import annotations

import pytest

from tests.bench.test_bench_smoke import run_bench

pytestmark = pytest.mark.bench


def test_import_load_benchmark_imports_every_row_while_the_floor_works(tmp_path):
    result, _stdout = run_bench("import_load.py", tmp_path, "--backend", "sqlite", "--rows", "1100",
                                "--clients", "2", "--baseline", "1", "--workers", "2")
    run = result["backends"]["sqlite"]
    assert run["baseline"]["requests"] > 0 and run["baseline"]["failures"] == 0
    for phase in ("api", "page"):
        assert (run[phase]["status"], run[phase]["created"], run[phase]["refused"]) == ("done", 1100, 0), run
        assert run[phase]["floor"]["failures"] == 0, run[phase]
    assert run["inventory_verify"] == "ok"
