"""Time the history import (`manage.py import_history`): people a second, dry run and real run.

Run on a scratch database (a real run writes), e.g. a copy of the benchmark database:

    createdb -h 127.0.0.1 -U postgres -T bench_brygga bench_import
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_import DEBUG=0 \\
        .venv/bin/python bench/import.py --people 20000 [--one-by-one 1000]

It writes a fictional import file of `--people` people (`history.fictional`: Skatteverket's
test numbers from `--first` on, every 25th line of unidentified intakes besides), makes a unit,
a provider unit, a kind of support and an importing user of its own (once), and runs the
command with `--dry-run`, then for real, then again (a re-import that only finds its records
unchanged), then a copy with every 10th person's line corrected (a corrected re-import).
`--one-by-one N` also times a dry run of the first N lines one line at a time
(`load(batched=False)`, as before the batches); `--no-reimport` skips the re-imports;
`--profile FILE` writes the real run's cProfile statistics (`python -m pstats FILE`).
Prints wall-clock figures, the importing process's own CPU time and the CPU time of the
PostgreSQL backend serving its connection (read from /proc: the server on this machine),
people per CPU-second of the two together (what a quiet machine would do with a core for each),
and the access-log entries each run wrote; on PostgreSQL also, per 1,000 people, the WAL written
and its full-page images (the whole server's: run it on a quiet server) and the blocks this
database read from outside `shared_buffers` and found in them.
The machine may be shared: the load average is printed. Asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brygga.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from audit.models import AccessLogEntry  # noqa: E402
from history import fictional  # noqa: E402
from history.importer import Target, load, validate_file  # noqa: E402
from organisation.models import Membership, Role, SupportKind, Unit, UnitKind  # noqa: E402

AUTHORITY, PROVIDER, KIND, USER = (
    "Importbänk myndighet",
    "Importbänk utförare",
    "importbank",
    "importbank",
)


def setting() -> Target:
    authority, _ = Unit.objects.get_or_create(name=AUTHORITY, defaults={"kind": UnitKind.AUTHORITY})
    provider, _ = Unit.objects.get_or_create(name=PROVIDER, defaults={"kind": UnitKind.PROVIDER})
    kind, _ = SupportKind.objects.get_or_create(
        code=KIND, defaults={"name": "Importbänkens stöd", "needs_decision": True}
    )
    kind.provider_units.add(provider)
    user, _ = get_user_model().objects.get_or_create(username=USER)
    for unit in (authority, provider):
        Membership.objects.get_or_create(user=user, unit=unit, role=Role.MANAGER)
    return Target(user, authority, kind, provider, source="bank")


def backend_cpu() -> float | None:
    """CPU seconds of the database server's process serving this connection (PostgreSQL on this
    machine: its /proc entry); None where it cannot be read."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def server_io() -> dict[str, int]:
    """The server's WAL written (bytes, full-page images: cluster-wide, so a quiet server is
    needed) and this database's blocks read from outside `shared_buffers` and found in them,
    tables and indexes together (PostgreSQL; empty elsewhere)."""
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        # this backend's own counts reach the shared statistics when it goes idle
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute(
            "SELECT wal_bytes::bigint, wal_fpi FROM pg_stat_wal, pg_stat_clear_snapshot()"
        )
        wal_bytes, fpi = cursor.fetchone()
        cursor.execute(
            "SELECT coalesce(sum(heap_blks_read + coalesce(idx_blks_read, 0)), 0),"
            " coalesce(sum(heap_blks_hit + coalesce(idx_blks_hit, 0)), 0)"
            " FROM pg_statio_user_tables"
        )
        read, hit = cursor.fetchone()
    return {"wal_bytes": wal_bytes, "fpi": fpi, "read": int(read), "hit": int(hit)}


def io_line(before: dict[str, int], after: dict[str, int], people: int) -> str:
    if not before:
        return ""
    d = {key: after[key] - before[key] for key in before}
    return (
        f"\n      per 1,000 people: WAL {d['wal_bytes'] / people * 1000 / 2**20:6.1f} MB,"
        f" {d['fpi'] / people * 1000:7.0f} full-page images,"
        f" blocks read {d['read'] / people * 1000:7.0f}, found in the buffers"
        f" {d['hit'] / people * 1000:8.0f}"
    )


def command(
    path: Path, *extra: str, profile: str | None = None
) -> tuple[float, float, float | None]:
    """Wall-clock, this process's CPU seconds and the database backend's CPU seconds;
    `profile`: the command's cProfile statistics are written to that file."""
    server = backend_cpu()
    profiler = cProfile.Profile() if profile else None
    start, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    call_command(
        "import_history",
        str(path),
        "--user",
        USER,
        "--source",
        "bank",
        "--unit",
        AUTHORITY,
        "--support-kind",
        KIND,
        "--provider",
        PROVIDER,
        *extra,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    after = backend_cpu()
    return took, cpu, (after - server) if server is not None and after is not None else None


class Undo(Exception):
    pass


def one_by_one(text: str, target: Target, lines: int) -> float:
    checked = validate_file(text.splitlines()[:lines])
    start = time.perf_counter()
    try:
        with transaction.atomic():
            load(
                checked.rows,
                target,
                file_name="bench",
                file_sha256="0" * 64,
                lines=checked.lines,
                rejected=0,
                batched=False,
            )
            raise Undo
    except Undo:
        pass
    return time.perf_counter() - start


def corrected(lines: list[dict], every: int = 10) -> list[dict]:
    """The file with every `every`-th person's line corrected (in turn: an intake's reason, a
    decision's period, an application's date, a closure's text), as a corrected re-import."""
    result = json.loads(json.dumps(lines))
    people = [line for line in result if not line.get("unidentified")]
    for turn, line in enumerate(people[::every]):
        decisions = [d for d in line.get("decisions", []) if d.get("period_to")]
        closure = line.get("closure")
        if turn % 4 == 1 and decisions:
            to = datetime.date.fromisoformat(decisions[0]["period_to"])
            decisions[0]["period_to"] = (to - datetime.timedelta(days=1)).isoformat()
        elif turn % 4 == 2 and decisions:
            decided = datetime.date.fromisoformat(decisions[0]["decided_on"])
            decisions[0]["applied_on"] = (decided - datetime.timedelta(days=5)).isoformat()
        elif turn % 4 == 3 and closure:
            closure["reason_text"] = "Korrigerad i det tidigare systemet."
        else:
            line["intakes"][0]["reason"] = "Korrigerad i det tidigare systemet."
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--first", type=int, default=200_000, help="first test-number index")
    parser.add_argument("--one-by-one", type=int, default=0, metavar="N")
    parser.add_argument("--no-reimport", action="store_true", help="skip the unchanged re-import")
    parser.add_argument(
        "--profile", metavar="FILE", help="write the real run's cProfile statistics to FILE"
    )
    args = parser.parse_args()
    target = setting()
    lines = fictional.lines(
        args.people, seed=args.first, first=args.first, prefix=f"B{args.first}-"
    )
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n"
    fixed = "\n".join(json.dumps(line, ensure_ascii=False) for line in corrected(lines)) + "\n"
    people = args.people
    print(f"{connection.vendor}, {people} people ({len(lines)} lines)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.jsonl"
        path.write_text(text, encoding="utf-8")
        fixed_path = Path(folder) / "corrected.jsonl"
        fixed_path.write_text(fixed, encoding="utf-8")
        start = time.perf_counter()
        validate_file(text.splitlines())
        checked = time.perf_counter() - start
        print(f"  validation only     {checked:7.1f} s  {people / checked:8.0f} people/s")
        if args.one_by_one:
            took = one_by_one(text, target, args.one_by_one)
            n = args.one_by_one
            print(f"  one by one, dry {n:<4}{took:7.1f} s  {n / took:8.0f} people/s (before)")
        for label, file, extra in (
            ("dry run", path, ("--dry-run",)),
            ("real run", path, ()),
            ("re-import unchanged", path, ()),
            ("re-import 10 % fixed", fixed_path, ()),
        ):
            if label.startswith("re-import") and args.no_reimport:
                continue
            profile = args.profile if label == "real run" else None
            entries = AccessLogEntry.objects.count()
            io_before = server_io()
            took, cpu, server = command(file, *extra, profile=profile)
            io_after = server_io()
            both = cpu + (server or 0)
            logged = AccessLogEntry.objects.count() - entries
            print(
                f"  {label:<20} {took:7.1f} s  {people / took:8.0f} people/s"
                f"  CPU: import {cpu:5.1f} s, database {server or 0:5.1f} s"
                f" = {people / both:6.0f} people per CPU-second;"
                f" {logged} access-log entries" + io_line(io_before, io_after, people)
            )
        print(f"  load average {' '.join(f'{n:.1f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()
