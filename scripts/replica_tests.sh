#!/usr/bin/env bash
# The replica tests (tests/reports/test_replica.py) against a real streaming replica of the local
# PostgreSQL, made, used and removed by scripts/with_replica.sh. Run by .ci/run; by hand:
#   bash scripts/replica_tests.sh [pytest options]
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${BRYGGA_REPLICA_PORT:-5433}"
exec bash scripts/with_replica.sh env \
  DATABASE_URL="postgres://postgres@127.0.0.1:5432/test" \
  DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:$PORT/test" \
  BRYGGA_TEST_DB_NAME="${BRYGGA_TEST_DB_NAME:-test_brygga_replica}" \
  "${PYTHON:-.venv/bin/python}" -m pytest -p no:randomly tests/reports/test_replica.py "$@"
