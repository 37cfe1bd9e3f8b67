#!/usr/bin/env bash
# `make test`: the whole suite, on SQLite and on a throwaway PostgreSQL (started by the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest "$@"
