#!/usr/bin/env bash
# The tests that talk HTTP to a live server, run through two gunicorn servers behind a round-robin
# proxy on the local PostgreSQL (BRYGGA_TEST_SERVERS=2, tests/conftest.py `live_server`): each
# test's requests alternate between the servers, so whatever one server kept in its own memory or
# on its own disk fails the test. Run by .ci/run; by hand:
#   bash scripts/two_servers_tests.sh [pytest options]
#
# The journeys, not the crawls: every test of tests/browser except those marked `crawl`, the three
# that visit every page they reach (for axe, for a phone's width, and the public pages). Those only read page after
# page, and took 40 % of the whole set's 24 minutes through two servers on this busy two-core
# machine, beside the rest of .ci/run's 23. The journeys cover what a server could keep between
# requests: logging in and out, sessions (the public form's receipt, a reason given), the lockout,
# forms sent and sent back with errors, uploads and downloads, API tokens, letters and a
# background job; the README's curl examples go through the servers too. The crawls run with one
# server in .ci/run's PostgreSQL run, which in turn leaves out what this script runs. This set: 9.5 minutes at a load average of 5 to 7 on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
exec env \
  BRYGGA_TEST_SERVERS=2 \
  DATABASE_URL="${BRYGGA_SERVERS_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}" \
  BRYGGA_TEST_DB_NAME="${BRYGGA_TEST_DB_NAME:-test_brygga_servers}" \
  "${PYTHON:-.venv/bin/python}" -m pytest tests/browser tests/api/test_readme_examples.py \
  -m "not crawl" "$@"
