#!/usr/bin/env bash
# `make test`: the whole suite, on SQLite and on a throwaway PostgreSQL (started by the tests).
#   make test ARGS="--fast"     the fast loop: SQLite only, no browser, no slow runs (race, kill -9), no
#                               benchmark smoke runs; the full `make test` still runs all of them
#   make test ARGS="-m 'not slow and not bench'"   both databases and the browsers, without the long runs
#   make test ARGS="tests/inventory --backend sqlite -x"   any pytest arguments
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--fast" ]]; then
    shift
    set -- -m "not slow and not bench and not browser" --backend sqlite "$@"
fi
# The independent ZPL renderer for tests/labels/test_independent.py (skipped there without node)
if command -v npm >/dev/null && [[ ! -d tests/zpl/node_modules ]]; then (cd tests/zpl && npm ci --silent); fi
.venv/bin/python -m pytest "$@"
