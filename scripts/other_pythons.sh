#!/usr/bin/env bash
# The README promises CPython 3.11+. For every other CPython 3.11-3.13 on this machine (on PATH or
# under pyenv), install Brygga the way a new user does (make install: a venv with the pip it brings,
# then our pinned pip and lock), and run migrate, load_demo and the smoke tests on a fresh SQLite.
# Prints a note and succeeds when there is none.
set -euo pipefail
cd "$(dirname "$0")/.."

main_python="$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))')"
declare -A seen=(["$main_python"]=1)
candidates=()
for py in python3.11 python3.12 python3.13 /usr/bin/python3.11 /usr/bin/python3.12 /usr/bin/python3.13 \
  "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[123]*/bin/python3; do
  path="$(command -v "$py" 2>/dev/null || true)"
  [ -n "$path" ] || continue
  real="$("$path" -c 'import os, sys; print(os.path.realpath(sys.executable))' 2>/dev/null || true)"
  [ -n "$real" ] || continue
  version="$("$path" -c 'import platform, sys; print(platform.python_implementation(), "%d.%d" % sys.version_info[:2])' 2>/dev/null || true)"
  case "$version" in "CPython 3.11" | "CPython 3.12" | "CPython 3.13") ;; *) continue ;; esac
  [ -z "${seen[$real]:-}" ] || continue
  seen[$real]=1
  candidates+=("$real")
done

if [ "${#candidates[@]}" -eq 0 ]; then
  echo "No other CPython 3.11-3.13 on this machine: only $("$main_python" --version) was tried."
  exit 0
fi

failed=()
for py in "${candidates[@]}"; do
  label="$("$py" --version 2>&1) ($py)"
  echo "== $label: install, migrate, load_demo, smoke tests =="
  work="$(mktemp -d)"
  if make --no-print-directory install PYTHON="$py" VENV="$work/venv" >"$work/install.log" 2>&1; then
    if (
      export DATABASE_URL="sqlite:///$work/db.sqlite3" BRYGGA_DEMO=1
      "$work/venv/bin/python" manage.py migrate --noinput >/dev/null
      "$work/venv/bin/python" manage.py load_demo >"$work/demo.log"
      head -n 1 "$work/demo.log"
      "$work/venv/bin/python" -m pytest -q tests/test_smoke.py
    ); then
      echo "-- $label: ok"
    else
      failed+=("$label")
    fi
  else
    tail -n 30 "$work/install.log"
    failed+=("$label (install)")
  fi
  rm -rf "$work"
done

if [ "${#failed[@]}" -gt 0 ]; then
  printf 'Failed on: %s\n' "${failed[@]}"
  exit 1
fi
