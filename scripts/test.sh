#!/usr/bin/env bash
# `make test`: the whole suite, on SQLite and on a throwaway PostgreSQL (started by the tests).
#   make test ARGS="--fast"     the fast loop: SQLite only, no browser, no slow runs (race, kill -9), no
#                               benchmark smoke runs; the full `make test` still runs all of them
#   make test ARGS="-m 'not slow and not bench'"   both databases and the browsers, without the long runs
#   make test ARGS="tests/inventory --backend sqlite -x"   any pytest arguments
# The suite runs in parallel (pytest-xdist), one worker per core up to 4, a test module per worker at a time
# (module fixtures are built once); each worker has its own throwaway PostgreSQL and browser.
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
(( workers > 1 )) && parallel=(-n "$workers" --dist loadfile)
.venv/bin/python -m pytest "${parallel[@]}" "$@"
