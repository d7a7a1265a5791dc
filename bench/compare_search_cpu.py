"""CPU per uncached search, two checkouts in one run (issue #17, search p95).

    .venv/bin/python bench/compare_search_cpu.py /path/to/old-checkout /path/to/new-checkout [N]
    .venv/bin/python bench/compare_search_cpu.py OLD NEW [N] postgres

The search benchmark (b_search.py) measures searches under gunicorn, where what decides the
throughput is the CPU one search costs. This measures that CPU the way a busy machine disturbs
least: the 2,116-lesson generated catalog is imported once (by the new checkout) into a SQLite
database, and each checkout, with this .venv and the production settings, answers the
benchmark's five searches N times each (default 300) through Django's WSGI handler, with the
result cache off; CPU seconds per search (time.process_time) beside the catalog page's in the
same process. Rounds alternate old, new, new, old, old, new. Both checkouts must share the
search tables' schema. On PostgreSQL each search also has a "(database)" row: its backend's
share of the figure (the app's is the difference).

With ``postgres`` the catalog goes into a fresh PostgreSQL database at 127.0.0.1 instead (one
per checkout, each migrated and imported by its own checkout, so the two may differ in schema;
dropped at the end), and each figure adds the CPU its database backend spent (read from
/proc, so PostgreSQL must run on this machine).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchlib import (
    MEASURE_PREAMBLE,
    PYTHON,
    admin_sql,
    alternate_checkouts,
    django_env,
    prepare_checkout,
)
from textgen import generate_catalog

MEASURE = (
    MEASURE_PREAMBLE
    + r"""
from django.core.handlers.wsgi import WSGIHandler

QUERIES = ["q=model", "q=sparse+feature", "q=circu", "q=probe&track=Track+2", "q=stable"]
N = int(sys.argv[1])
app = WSGIHandler()

def get(path, query):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
               "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http"}
    status = []
    b"".join(app(environ, lambda s, headers, exc_info=None: status.append(s)))
    assert status[0].startswith("200"), (path, query, status)

def cpu_ms(path, query):
    # App + database CPU ms per request, and the database's share.
    for _ in range(20):
        get(path, query)
    backend, start = backend_seconds(), time.process_time()
    for _ in range(N):
        get(path, query)
    app = time.process_time() - start
    database = backend_seconds() - backend
    return (app + database) / N * 1000, database / N * 1000

result = {}
for query in QUERIES:
    result[query], database = cpu_ms("/search/", query)
    if backend_seconds():  # PostgreSQL
        result[f"{query} (database)"] = database
result["catalog"], _ = cpu_ms("/", "")
print(json.dumps(result))
"""
)


def on_postgres(trees: dict[str, Path], work: Path, runs: str) -> dict[str, list[dict]]:
    """Each checkout on its own fresh PostgreSQL database, rounds alternating as on SQLite."""
    envs = {}
    for name, tree in trees.items():
        database = f"compare_search_cpu_{name}_{os.getpid()}"
        admin_sql(f"DROP DATABASE IF EXISTS {database}")
        admin_sql(f"CREATE DATABASE {database}")
        envs[name] = env_for(f"postgres://postgres@127.0.0.1:5432/{database}", work)
        prepare_checkout(tree, envs[name])
    results: dict[str, list[dict]] = {name: [] for name in trees}
    try:
        for name in ("old", "new", "new", "old", "old", "new"):
            done = subprocess.run(  # noqa: S603
                [PYTHON, "-c", MEASURE, runs], cwd=trees[name], env=envs[name], check=True,
                capture_output=True, text=True,
            )  # fmt: skip
            results[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(name, results[name][-1], flush=True)
    finally:
        for name in trees:
            admin_sql(f"DROP DATABASE IF EXISTS compare_search_cpu_{name}_{os.getpid()}")
    return results


def env_for(database_url: str, work: Path) -> dict[str, str]:
    env = django_env(
        database_url,
        CONTENT_DIR=str(work / "content"),
        SEARCH_CACHE_RESULTS="0",
        LOG_LEVEL="WARNING",
        # One connection for the whole measurement, so its backend's CPU is all there is.
        CONN_MAX_AGE="3600",
    )
    env["STATIC_ROOT"] = str(work / "static")
    return env


def main() -> None:
    trees = {"old": Path(sys.argv[1]).resolve(), "new": Path(sys.argv[2]).resolve()}
    runs = sys.argv[3] if len(sys.argv) > 3 else "300"
    work = Path(tempfile.mkdtemp(prefix="compare-search-cpu-"))
    generate_catalog(work / "content", 46, 46)
    if sys.argv[4:] == ["postgres"]:
        results = on_postgres(trees, work, runs)
    else:
        env = env_for(f"sqlite:///{work / 'db.sqlite3'}", work)
        results = alternate_checkouts(trees, env, MEASURE, runs)
    medians = {
        name: {key: sorted(run[key] for run in runs)[len(runs) // 2] for key in runs[0]}
        for name, runs in results.items()
    }
    for key in medians["old"]:
        old, new = medians["old"][key], medians["new"][key]
        ratio = new / old
        print(f"{key}: old {old:.2f} ms CPU, new {new:.2f} ms (median of 3), new ÷ old {ratio:.2f}")


if __name__ == "__main__":
    main()
