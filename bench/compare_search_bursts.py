"""CPU per uncached search, two checkouts in short alternating bursts (issue #17, search p95).

    .venv/bin/python bench/compare_search_bursts.py /path/to/old-checkout /path/to/new-checkout
    .venv/bin/python bench/compare_search_bursts.py OLD NEW [ROUNDS] [postgres]

compare_search_cpu.py runs each checkout three times for some seconds and takes the median: on
a VM shared with other work its figures move by 10-30% from one round to the next, so a change
worth a few percent cannot show there. Here each checkout is one long-lived process (this
.venv, the production settings, the result cache off) on the database compare_search_cpu.py
builds (the 2,116-lesson generated catalog, imported by the new checkout into SQLite; with
``postgres``, each checkout's own fresh PostgreSQL database, dropped at the end, its backend's
CPU added). For each of the benchmark's five searches and the catalog page, bursts of 60
requests through Django's WSGI handler alternate between the two processes, ROUNDS times
(default 20), old first in even rounds and new first in odd ones. Reported per query: the
lower quartile of the bursts' CPU per request, which the machine's other work can only raise,
the median, and new ÷ old of each.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchlib import MEASURE_PREAMBLE, PYTHON, admin_sql, prepare_checkout
from compare_search_cpu import env_for
from textgen import generate_catalog

BURST = 60
QUERIES = [
    ("/search/", "q=model"),
    ("/search/", "q=sparse+feature"),
    ("/search/", "q=circu"),
    ("/search/", "q=probe&track=Track+2"),
    ("/search/", "q=stable"),
    ("/", ""),
]

# One process per checkout: reads "path query count" lines, answers each with the CPU
# milliseconds per request of that many requests (app + database backend).
SERVE = (
    MEASURE_PREAMBLE
    + r"""
from django.core.handlers.wsgi import WSGIHandler

app = WSGIHandler()

def get(path, query):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
               "HTTP_USER_AGENT": "compare_search_bursts", "HTTP_ACCEPT": "*/*",
               "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http"}
    status = []
    b"".join(app(environ, lambda s, headers, exc_info=None: status.append(s)))
    assert status[0].startswith("200"), (path, query, status)

for line in sys.stdin:
    path, query, count = json.loads(line)
    get(path, query)
    backend, start = backend_seconds(), time.process_time()
    for _ in range(count):
        get(path, query)
    spent = time.process_time() - start + backend_seconds() - backend
    print(json.dumps(spent / count * 1000), flush=True)
"""
)


def prepare(trees: dict[str, Path], work: Path, postgres: bool) -> dict[str, dict[str, str]]:
    """Each checkout's environment, its database migrated and the catalog imported."""
    envs, importers = {}, {}
    for name, tree in trees.items():
        if postgres:
            database = f"compare_search_bursts_{name}_{os.getpid()}"
            admin_sql(f"DROP DATABASE IF EXISTS {database}")
            admin_sql(f"CREATE DATABASE {database}")
            envs[name] = env_for(f"postgres://postgres@127.0.0.1:5432/{database}", work)
            importers[name] = tree  # each checkout imports into its own database
        else:
            envs[name] = env_for(f"sqlite:///{work / 'db.sqlite3'}", work)
    if not postgres:
        importers = {"new": trees["new"]}  # one SQLite database, imported by the new checkout
    for name, tree in importers.items():
        prepare_checkout(tree, envs[name])
    return envs


def measure(trees: dict[str, Path], envs: dict[str, dict[str, str]], rounds: int) -> dict:
    servers = {
        name: subprocess.Popen(  # noqa: S603 (our own script in a checkout)
            [PYTHON, "-c", SERVE],
            cwd=tree,
            env=envs[name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name, tree in trees.items()
    }

    def burst(name: str, path: str, query: str, count: int) -> float:
        server = servers[name]
        server.stdin.write(json.dumps([path, query, count]) + "\n")
        server.stdin.flush()
        return json.loads(server.stdout.readline())

    results: dict[tuple[str, str], list[float]] = {}
    try:
        for name in servers:  # warm each process: templates, frames, caches, connections
            for path, query in QUERIES:
                burst(name, path, query, 20)
        for round_ in range(rounds):
            order = ("old", "new") if round_ % 2 == 0 else ("new", "old")
            for path, query in QUERIES:
                for name in order:
                    results.setdefault((name, query), []).append(burst(name, path, query, BURST))
    finally:
        for server in servers.values():
            server.stdin.close()
            server.wait()
    return results


def main() -> None:
    trees = {"old": Path(sys.argv[1]).resolve(), "new": Path(sys.argv[2]).resolve()}
    rest = sys.argv[3:]
    postgres = "postgres" in rest
    rounds = int(next((arg for arg in rest if arg.isdigit()), "20"))
    work = Path(tempfile.mkdtemp(prefix="compare-search-bursts-"))
    generate_catalog(work / "content", 46, 46)
    envs = prepare(trees, work, postgres)
    try:
        results = measure(trees, envs, rounds)
    finally:
        if postgres:
            for name in trees:
                admin_sql(f"DROP DATABASE IF EXISTS compare_search_bursts_{name}_{os.getpid()}")
        shutil.rmtree(work, ignore_errors=True)
    for _path, query in QUERIES:
        old, new = sorted(results[("old", query)]), sorted(results[("new", query)])
        q_old, q_new = old[len(old) // 4], new[len(new) // 4]
        m_old, m_new = statistics.median(old), statistics.median(new)
        print(
            f"{query or 'catalog'}: lower quartile old {q_old:.3f} ms, new {q_new:.3f} ms, "
            f"new ÷ old {q_new / q_old:.3f}; median old {m_old:.3f}, new {m_new:.3f}, "
            f"new ÷ old {m_new / m_old:.3f} ({rounds} bursts of {BURST} each)"
        )


if __name__ == "__main__":
    main()
