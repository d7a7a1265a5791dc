"""PostgreSQL backend CPU per statement, several statements in turn on one connection.

    .venv/bin/python bench/pg_statement_cpu.py DATABASE [N] < statements.sql

Reads statements from standard input, one per line (blank lines and lines starting with "--"
are skipped; "name: SELECT ..." with a one-word name names its statement), runs each N times
(default 300) after 20 warm-up runs, three rounds in turn, and prints the backend's CPU per run
(user + system from /proc, so PostgreSQL must run on this machine; 10 ms clock ticks, so read
the third decimal as noise) and this process's. DATABASE is a libpq connection string or URL, for
example postgres://postgres@127.0.0.1:5432/glassbox_bench_search. Each statement is planned
on every run, as a search's statements are (no prepared statements). Used to choose the
PostgreSQL body tier's layout (docs/benchmarks-history.md, "Session 11, `pginline`").
"""

from __future__ import annotations

import sys
import time

import psycopg
from benchlib import process_cpu_seconds

WARM_UP = 20
ROUNDS = 3


def read_statements(lines: list[str]) -> list[tuple[str, str]]:
    statements = []
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("--"):
            continue
        name, _, sql = line.partition(": ")
        if not sql or " " in name:
            name, sql = f"statement {number}", line
        statements.append((name, sql))
    return statements


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    statements = read_statements(sys.stdin.read().splitlines())
    with psycopg.connect(sys.argv[1], autocommit=True) as connection:
        pid = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
        width = max(len(name) for name, _ in statements)
        for round_number in range(1, ROUNDS + 1):
            for name, sql in statements:
                for _ in range(WARM_UP):
                    connection.execute(sql).fetchall()
                backend, client = process_cpu_seconds([pid]), time.process_time()
                for _ in range(runs):
                    connection.execute(sql).fetchall()
                backend = (process_cpu_seconds([pid]) - backend) / runs * 1000
                client = (time.process_time() - client) / runs * 1000
                print(
                    f"round {round_number}  {name:{width}}  backend {backend:.3f} ms  "
                    f"client {client:.3f} ms",
                    flush=True,
                )


if __name__ == "__main__":
    main()
