"""Where one uncached search's CPU goes, phase by phase (issue #17, search p95).

    .venv/bin/python bench/profile_search.py [N]
    .venv/bin/python bench/profile_search.py [N] postgres

The 2,116-lesson generated catalog of compare_search_cpu.py is imported by this checkout into
a fresh SQLite database (or, with ``postgres``, a fresh PostgreSQL database at 127.0.0.1,
dropped at the end), and the benchmark's five searches are each served N times (default 300)
through Django's WSGI handler with the production settings and the result cache off, as
compare_search_cpu.py serves them. Each phase's CPU (time.process_time) is measured inside the
requests, around the functions that do it, and printed in ms per request, medians of three
passes: whole request; the view; ranking and counting (RankedMatches, through Paginator); the
cards (their statement, passages and HTML); the passages alone; the card HTML alone; the
results region; the response (frame filled); the time spent executing statements (on
PostgreSQL the app's side only, the backend's is its own row). "Handler and middleware" is the
request less the view; "view, other" the view less the phases named in it.

The wrappers cost about a microsecond each, so the phases add up to a little more than an
unwrapped request costs (compare_search_cpu.py's figure).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchlib import MEASURE_PREAMBLE, PYTHON, WSGI_GET, admin_sql, prepare_checkout
from compare_search_cpu import env_for
from textgen import generate_catalog

MEASURE = (
    MEASURE_PREAMBLE
    + WSGI_GET
    + r"""
import collections, functools
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from search import page, passages, services, views

QUERIES = ["q=model", "q=sparse+feature", "q=circu", "q=probe&track=Track+2", "q=stable"]
N = int(sys.argv[1])
spent = collections.Counter()

def timed(owner, name, label):
    function = getattr(owner, name)
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += time.process_time() - start
    setattr(owner, name, wrapper)

timed(views, "results", "view")
timed(services.RankedMatches, "_count", "ranking and count")
timed(services.RankedMatches, "__getitem__", "ranking and count")
timed(views, "hits", "cards (statement, passages, HTML)")
timed(passages, "passage", "passages")
timed(services, "card", "card HTML")
timed(views.results_page, "region", "results region")
timed(views.results_page, "respond", "response (frame filled)")

def statements(execute, sql, params, many, context):
    start = time.process_time()
    try:
        return execute(sql, params, many, context)
    finally:
        spent["statements executed (app side)"] += time.process_time() - start

app = WSGIHandler()

def get(query):
    status = []
    start = time.process_time()
    b"".join(app(wsgi_get("/search/", query), lambda s, headers, exc_info=None: status.append(s)))
    spent["request"] += time.process_time() - start
    assert status[0].startswith("200"), (query, status)

result = {}
for query in QUERIES:
    for _ in range(20):
        get(query)
    spent.clear()
    backend = backend_seconds()
    with connection.execute_wrapper(statements):
        for _ in range(N):
            get(query)
    row = {label: seconds / N * 1000 for label, seconds in spent.items()}
    if connection.vendor == "postgresql":
        row["database backend"] = (backend_seconds() - backend) / N * 1000
    result[query] = row
print(json.dumps(result))
"""
)

ORDER = [
    "request",
    "handler and middleware",
    "view",
    "ranking and count",
    "cards (statement, passages, HTML)",
    "passages",
    "card HTML",
    "results region",
    "response (frame filled)",
    "view, other",
    "statements executed (app side)",
    "database backend",
]


def derived(row: dict[str, float]) -> dict[str, float]:
    named = ("ranking and count", "cards (statement, passages, HTML)", "results region")
    return {
        **row,
        "handler and middleware": row["request"] - row["view"],
        "view, other": row["view"]
        - sum(row.get(label, 0.0) for label in (*named, "response (frame filled)")),
    }


def main() -> None:
    runs = sys.argv[1] if len(sys.argv) > 1 else "300"
    postgres = sys.argv[2:] == ["postgres"]
    tree = Path(__file__).resolve().parent.parent
    work = Path(tempfile.mkdtemp(prefix="profile-search-"))
    generate_catalog(work / "content", 46, 46)
    database = f"profile_search_{os.getpid()}"
    if postgres:
        admin_sql(f"CREATE DATABASE {database}")
        url = f"postgres://postgres@127.0.0.1:5432/{database}"
    else:
        url = f"sqlite:///{work / 'db.sqlite3'}"
    env = env_for(url, work)
    try:
        prepare_checkout(tree, env)
        passes = []
        for _ in range(3):
            done = subprocess.run(  # noqa: S603 (our own script with a number)
                [PYTHON, "-c", MEASURE, runs], cwd=tree, env=env, check=True,
                capture_output=True, text=True,
            )  # fmt: skip
            passes.append(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        if postgres:
            admin_sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    queries = list(passes[0])
    rows = {query: [derived(one[query]) for one in passes] for query in queries}
    print("| ms per request | " + " | ".join(f"`{query[2:]}`" for query in queries) + " |")
    print("| --- |" + " --- |" * len(queries))
    for label in ORDER:
        if label not in rows[queries[0]][0]:
            continue
        cells = []
        for query in queries:
            values = sorted(one[label] for one in rows[query])
            cells.append(f"{values[1]:.3f}")
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
