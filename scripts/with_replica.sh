#!/usr/bin/env bash
# Run a command beside a real streaming replica of the local PostgreSQL (127.0.0.1:5432): make a
# standby with pg_basebackup in a temporary directory, start it on another port
# ($BRYGGA_REPLICA_PORT, 5433), run the command, and stop and remove the standby afterwards, also
# when the command fails. `scripts/replica_tests.sh` runs the replica tests this way (.ci/run);
# `bench/replica.py` is timed this way:
#   bash scripts/with_replica.sh env DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5433/bench_brygga ...
#
# The primary must allow replication connections from 127.0.0.1 (a line in its pg_hba.conf, added
# here when missing) and keep wal_level at replica or above (PostgreSQL's default). PostgreSQL
# refuses to run as root: as root, the standby runs as the user postgres. pg_basebackup copies the
# whole cluster: seconds on CI, about 1.5 minutes here beside a 0.7 GB benchmark database.
set -euo pipefail
cd "$(dirname "$0")/.."

PRIMARY="postgres://postgres@127.0.0.1:5432"
PORT="${BRYGGA_REPLICA_PORT:-5433}"

as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}
primary_sql() { psql "$PRIMARY/postgres" -Atc "$1"; }

# The standby runs the primary's major version (Debian: /usr/lib/postgresql/<major>/bin).
BIN="/usr/lib/postgresql/$(($(primary_sql 'show server_version_num') / 10000))/bin"
[ -x "$BIN/pg_ctl" ] || BIN="$(pg_config --bindir)"

if [ "$(primary_sql 'show wal_level')" = minimal ]; then
  echo "The primary's wal_level is minimal: set it to replica to run the replica tests." >&2
  exit 1
fi
hba="$(primary_sql 'show hba_file')"
if ! grep -Eq '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
  echo "host replication all 127.0.0.1/32 trust" >>"$hba"
  primary_sql 'select pg_reload_conf()' >/dev/null
fi

dir="$(mktemp -d /tmp/brygga-replica.XXXXXX)"
chmod 755 "$dir"
[ "$(id -u)" = 0 ] && chown postgres: "$dir"
# A replication slot keeps the WAL the standby has yet to fetch (other work on the primary may
# write gigabytes meanwhile); it is dropped afterwards, so that the primary does not keep WAL for
# ever. Slots left inactive by a run that was killed are dropped first.
slot="brygga_replica_$$"
drop_slots() {
  primary_sql "select pg_drop_replication_slot(slot_name) from pg_replication_slots
    where slot_name like 'brygga\_replica\_%' and not active $1" >/dev/null || true
}
drop_slots ""
stop() {
  as_postgres "'$BIN/pg_ctl' -D '$dir/data' -m immediate stop" >/dev/null 2>&1 || true
  drop_slots "and slot_name = '$slot'"
  rm -rf "$dir"
}
trap stop EXIT

# -c fast: checkpoint at once instead of spreading it over minutes.
as_postgres "'$BIN/pg_basebackup' -d '$PRIMARY' -D '$dir/data' -R -C -S $slot -X stream -c fast"
# Debian keeps the configuration outside the data directory: the standby gets its own. A hot
# standby needs these at least as large as on the primary.
{
  echo "port = $PORT"
  echo "listen_addresses = '127.0.0.1'"
  echo "unix_socket_directories = '$dir'"
  echo "hot_standby = on"
  for name in max_connections max_worker_processes max_wal_senders max_prepared_transactions \
    max_locks_per_transaction; do
    echo "$name = $(primary_sql "show $name")"
  done
} >>"$dir/data/postgresql.conf"
printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"$dir/data/pg_hba.conf"
: >"$dir/data/pg_ident.conf"
chmod 644 "$dir/data/postgresql.conf" "$dir/data/pg_hba.conf" "$dir/data/pg_ident.conf"
as_postgres "'$BIN/pg_ctl' -D '$dir/data' -l '$dir/log' -w -t 60 start" >/dev/null
[ "$(psql -h 127.0.0.1 -p "$PORT" -U postgres -Atc 'select pg_is_in_recovery()')" = t ]

"$@"
