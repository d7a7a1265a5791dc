"""6. Search under gunicorn: the 2,116-lesson catalog, 32 clients, against a static file.

A generated catalog (`bench/textgen.py`, 46 courses × 46 lessons) is imported into a fresh
SQLite database and, when PostgreSQL answers at 127.0.0.1, into a fresh PostgreSQL database;
gunicorn (4 sync workers, the site's settings, no Redis) serves each in turn. Each query is one
URL loaded by 32 closed-loop clients; search results are never cached, so every request runs
the full-text query, the page's passages and the template. The baseline is the static file
`site.css` from the same server in the same run. Beside the latencies, the CPU each request cost
the app (gunicorn's processes) and, on PostgreSQL, the database (the server processes of the
workers' connections, which last through the part: CONN_MAX_AGE=600): on 2 cores the p95 of 32
clients follows that CPU, and the CPU is what a change moves when the machine's speed does not.
"""

from __future__ import annotations

import os
from contextlib import nullcontext
from urllib.parse import urlencode

import loadgen
from benchlib import (
    PG_ADMIN_URL,
    BenchError,
    Section,
    Table,
    django_env,
    fetch,
    fmt_int,
    fmt_ms,
    fmt_ratio,
    gunicorn,
    log,
    manage,
    optional_postgres,
    process_cpu_seconds,
    verdict,
    with_static_wrapper,
)
from textgen import generate_catalog

CONNECTIONS = 32
P95_TARGET_MS = 50.0
SITE_CSS = "/static/css/site.css"
# Its own database (per run), so a search run never drops another run's import database.
PG_DATABASE = f"glassbox_bench_search_{os.getpid()}"
QUERIES = [
    ("a common word", {"q": "model"}),
    ("two words", {"q": "sparse feature"}),
    ("a prefix, as typed", {"q": "circu"}),
    ("a word in one track", {"q": "probe", "track": "Track 2"}),
    # In about half the lessons' text and in no title or key term: page 1 comes from ranking
    # every lesson that mentions it, the costliest kind of search.
    ("a word only in lesson text", {"q": "stable"}),
]


def _backend_pids(database: str | None) -> list[int]:
    """The PostgreSQL server processes of the connections to ``database`` (none for SQLite)."""
    if database is None:
        return []
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s "
            "AND backend_type = 'client backend'",
            [database],
        ).fetchall()
    return [pid for (pid,) in rows]


def _measure(
    env, tmp, name: str, duration: float, database: str | None
) -> dict[str, tuple[loadgen.LoadResult, float, float | None]]:
    """Per URL: the load's result, and the app's and the database's CPU ms per request."""
    results = {}
    with gunicorn(env, workers=4, log=tmp / f"gunicorn-{name}.log") as server:
        urls = {"static": SITE_CSS} | {
            label: f"/search/?{urlencode(params)}" for label, params in QUERIES
        }
        for url in urls.values():
            for _ in range(5):  # warm every worker
                status, _body = fetch(server.url + url)
                if status != 200:
                    raise BenchError(f"{url} answered {status}")
        for label, url in urls.items():
            log(f"search ({name}): {label}: {CONNECTIONS} clients for {duration:.0f} s")
            backends = _backend_pids(database)
            app, db = server.cpu_seconds(), process_cpu_seconds(backends)
            result = loadgen.run(server.url + url, CONNECTIONS, duration)
            requests = max(result.requests, 1)
            app = (server.cpu_seconds() - app) / requests * 1000
            db = (process_cpu_seconds(backends) - db) / requests * 1000 if database else None
            results[label] = (result, app, db)
    return results


def run(ctx) -> Section:
    duration = ctx.args.duration or (2.0 if ctx.quick else 10.0)
    courses, lessons = (4, 5) if ctx.quick else (46, 46)
    section = Section("6. Search under gunicorn")
    tmp = ctx.tmp / "search"
    content = tmp / "content"
    log(f"search: generating {courses} × {lessons} lessons")
    generate_catalog(content, courses, lessons)
    static_root, extra_static = tmp / "static_root", tmp / "extra_static"
    extra_static.mkdir(parents=True, exist_ok=True)

    table = Table(
        ["database", "URL", "requests/s", "p50", "p95", "p99", "errors", "p95 × static",
         "CPU per request: app + database", "target", "verdict"]
    )  # fmt: skip
    with nullcontext() if ctx.quick else optional_postgres(PG_DATABASE, "search") as pg_url:
        databases = [("SQLite", f"sqlite:///{tmp / 'search.sqlite3'}", None)]
        if pg_url:
            databases.append(("PostgreSQL", pg_url, PG_DATABASE))
        for name, url, database in databases:
            env = with_static_wrapper(
                django_env(
                    url, CONTENT_DIR=str(content), SEARCH_CACHE_RESULTS="0", CONN_MAX_AGE="600"
                ),
                static_root,
                extra_static,
            )
            log(f"search ({name}): migrate, import, collectstatic")
            manage("migrate", "--noinput", env=env)
            manage("import_content", str(content), env=env, timeout=1800)
            manage("collectstatic", "--noinput", "-v0", env=env)
            results = _measure(env, tmp, name, duration, database)
            static = results["static"][0]
            for label, (r, app_ms, db_ms) in results.items():
                is_query = label != "static"
                params = dict(QUERIES)[label] if is_query else None
                ok = r.p95_ms < P95_TARGET_MS and r.errors == 0 if is_query else None
                table.add(
                    name,
                    f"`/search/?{urlencode(params)}` ({label})"
                    if is_query
                    else "static `site.css` (baseline)",
                    fmt_int(r.rps),
                    fmt_ms(r.p50_ms),
                    fmt_ms(r.p95_ms),
                    fmt_ms(r.p99_ms),
                    fmt_int(r.errors),
                    fmt_ratio(r.p95_ms / static.p95_ms) if static.p95_ms else "—",
                    f"{app_ms:.2f} ms" + ("" if db_ms is None else f" + {db_ms:.2f} ms"),
                    f"p95 < {P95_TARGET_MS:.0f} ms, 0 errors" if is_query else "—",
                    verdict(ok),
                )
    section.intro.append(
        f"Catalog: {courses} × {lessons} generated lessons. gunicorn `-w 4` (sync), "
        f"{CONNECTIONS} closed-loop clients, {duration:.0f} s per URL, load by "
        f"{loadgen.tool_name()}. Search results are not cached: each request runs the query. "
        "CPU per request: gunicorn's processes, and PostgreSQL's server processes of the "
        "workers' connections (CONN_MAX_AGE=600, so they last through the part), over the "
        "requests served."
    )
    section.tables.append(table)
    return section
