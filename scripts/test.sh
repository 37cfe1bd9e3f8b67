#!/usr/bin/env bash
# `make test`: the whole suite, on SQLite and on a throwaway PostgreSQL (started by the tests).
#   make test ARGS="--fast"     the fast loop: SQLite only, no browser, no slow runs (race, kill -9), no
#                               benchmark smoke runs; the full `make test` still runs all of them
#   make test ARGS="-m 'not slow and not bench'"   both databases and the browsers, without the long runs
#   make test ARGS="tests/inventory --backend sqlite -x"   any pytest arguments
# The suite runs in parallel (pytest-xdist), one worker per core up to 4, tests handed out by work stealing
# (measured on 2 cores, 2,934 tests: 8:49 against 9:18 with a whole module per worker: the long benchmark
# smoke runs no longer hold one worker's queue back); each worker has its own throwaway PostgreSQL and browser.
# SHIPFLOOR_TEST_WORKERS=0 runs it in one process (e.g. with -x or pdb).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--fast" ]]; then
    shift
    set -- -m "not slow and not bench and not browser" --backend sqlite "$@"
fi
# The independent ZPL renderer for tests/labels/test_independent.py (skipped there without node)
if command -v npm >/dev/null && [[ ! -d tests/zpl/node_modules ]]; then (cd tests/zpl && npm ci --silent); fi
workers=${SHIPFLOOR_TEST_WORKERS:-$(nproc 2>/dev/null || echo 1)}
(( workers > 4 )) && workers=4
parallel=()
(( workers > 1 )) && parallel=(-n "$workers" --dist worksteal)
.venv/bin/python -m pytest "${parallel[@]}" "$@"
