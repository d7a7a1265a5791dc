"""2. Pages under gunicorn: a lesson page and the catalog against static files, 32 clients.

gunicorn runs the site's own settings (config.settings_production when it exists) on a SQLite
database with the shipped content and (full runs, when PostgreSQL answers at 127.0.0.1) on a
fresh PostgreSQL database, 4 sync workers. The baseline is a static file of exactly the lesson
page's size, served by the same server (WhiteNoise) in the same run.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path

import loadgen
from benchlib import (
    BenchError,
    Section,
    Table,
    django_task,
    fetch,
    fmt_int,
    fmt_ms,
    fmt_ratio,
    gunicorn,
    log,
    manage,
    optional_postgres,
    prepare_site,
    sign_in,
    verdict,
)

CONNECTIONS = 32
LESSON = "/courses/inside-the-black-box/superposition/"
SAME_SIZE = "/static/bench/lesson-sized.html"
SITE_CSS = "/static/css/site.css"
P99_TARGET_MS = 100.0
THROUGHPUT_TARGET = 0.5
LEARNERS = 16
PASSWORD = "bench-pages-password-not-secret"  # noqa: S105 (throwaway accounts, temp database)
SIGNED_IN = LESSON + "#signed-in"  # a key for the results, never requested as such
# Its own database (per run), so a pages run never drops another part's database.
PG_DATABASE = f"glassbox_bench_pages_{os.getpid()}"
TARGETS = [
    ("static file, lesson-page size (baseline)", SAME_SIZE),
    ("static file `site.css`", SITE_CSS),
    ("lesson page `superposition`", LESSON),
    (f"lesson page, signed in ({LEARNERS} learners in turn)", SIGNED_IN),
    ("catalog `/`", "/"),
]


def _measure(tmp: Path, database_url: str, duration: float, name: str):
    """The site on one database: (results by path, page sizes by path, the environment)."""
    log(f"pages ({name}): migrate, import shipped content, collectstatic")
    env = prepare_site(tmp, database_url)
    sizes = django_task("page-sizes", env=env)
    django_task("create-learners", str(LEARNERS), PASSWORD, str(tmp / "lessons.json"), env=env)
    loadgen.write_same_size_file(
        tmp / "extra_static" / "bench" / "lesson-sized.html", sizes["lesson"]
    )
    manage("collectstatic", "--noinput", "-v0", env=env)
    results = {}
    with gunicorn(env, workers=4, log=tmp / "gunicorn.log") as server:
        base = server.url
        log(f"pages ({name}): signing in {LEARNERS} learners")
        with ThreadPoolExecutor(max_workers=4) as pool:
            cookies = list(
                pool.map(lambda i: sign_in(base, f"locust{i:04d}", PASSWORD), range(LEARNERS))
            )
        for _, path in TARGETS:
            for _ in range(5):  # warm every worker's caches and connections
                if path == SIGNED_IN:
                    status, _body = fetch(base + LESSON, cookie=cookies[0])
                else:
                    status, _body = fetch(base + path)
                if status != 200:
                    raise BenchError(f"{path} answered {status}")
        measured_sizes = {
            path: len(fetch(base + path)[1]) for _, path in TARGETS if path != SIGNED_IN
        }
        measured_sizes[SIGNED_IN] = len(fetch(base + LESSON, cookie=cookies[0])[1])
        for label, path in TARGETS:
            log(f"pages ({name}): {label}: {CONNECTIONS} clients for {duration:.0f} s")
            if path == SIGNED_IN:
                results[path] = loadgen.run(base + LESSON, CONNECTIONS, duration, cookies)
            else:
                results[path] = loadgen.run(base + path, CONNECTIONS, duration)
    return results, measured_sizes, env


def run(ctx) -> Section:
    duration = ctx.args.duration or (2.0 if ctx.quick else 10.0)
    section = Section("2. Pages under gunicorn")
    tmp = ctx.tmp / "pages"
    table = Table(
        [
            "database",
            "URL",
            "bytes",
            "requests/s",
            "p50",
            "p99",
            "errors",
            "throughput × static",
            "target",
            "verdict",
        ]
    )
    signed_in_rps = {}
    with nullcontext() if ctx.quick else optional_postgres(PG_DATABASE, "pages") as pg_url:
        databases = [("SQLite", f"sqlite:///{tmp / 'sqlite' / 'pages.sqlite3'}")]
        if pg_url:
            databases.append(("PostgreSQL", pg_url))
        for name, url in databases:
            folder = tmp / name.lower()
            folder.mkdir(parents=True, exist_ok=True)
            results, measured_sizes, env = _measure(folder, url, duration, name)
            _add_rows(table, name, results, measured_sizes)
            signed_in_rps[name] = results[SIGNED_IN].rps
            if name == "SQLite":
                ctx.figures["lesson_rps"] = results[LESSON].rps
    section.intro.append(
        f"gunicorn `config.wsgi -w 4` (sync workers), settings "
        f"`{env['BENCH_BASE_SETTINGS']}`, DEBUG=0, the shipped content on "
        f"{' and on '.join(name for name, _ in databases)} (each a fresh database), the "
        f"per-process cache (no Redis). Load: {loadgen.tool_name()}, {CONNECTIONS} concurrent "
        f"connections, {duration:.0f} s per URL, closed loop (each client sends its next request "
        "when the answer arrives), no compression. Anonymous visitors, except the signed-in row: "
        f"it sends the session cookies of {LEARNERS} learners in turn, whose page is rendered for "
        "them and records the visit. Baseline: a static file of exactly the lesson page's size, "
        "served by the same gunicorn through WhiteNoise, per database."
    )
    section.tables.append(table)
    for name, rps in signed_in_rps.items():
        if rps:
            section.notes.append(
                f"In a closed loop, latency ≈ clients ÷ throughput, so a p99 under "
                f"{P99_TARGET_MS:.0f} ms with {CONNECTIONS} clients needs well over "
                f"{CONNECTIONS * 1000 / P99_TARGET_MS:,.0f} requests/s. The signed-in page on "
                f"{name} managed {rps:,.0f}/s: each of its {CONNECTIONS} clients waits about "
                f"{1000 * CONNECTIONS / rps:,.0f} ms, mostly queued for one of the 4 workers."
            )
    return section


def _add_rows(table: Table, name: str, results: dict, measured_sizes: dict) -> None:
    static = results[SAME_SIZE]
    for label, path in TARGETS:
        r = results[path]
        ratio = r.rps / static.rps if static.rps else float("nan")
        target, ok = "—", None
        if path == LESSON:
            target = f"≥ {THROUGHPUT_TARGET}× static, p99 < {P99_TARGET_MS:.0f} ms, 0 errors"
            ok = ratio >= THROUGHPUT_TARGET and r.p99_ms < P99_TARGET_MS and r.errors == 0
        elif path in ("/", SIGNED_IN):
            target = f"p99 < {P99_TARGET_MS:.0f} ms, 0 errors"
            ok = r.p99_ms < P99_TARGET_MS and r.errors == 0
        table.add(
            name,
            label,
            fmt_int(measured_sizes[path]),
            fmt_int(r.rps),
            fmt_ms(r.p50_ms),
            fmt_ms(r.p99_ms),
            fmt_int(r.errors),
            fmt_ratio(ratio),
            target,
            verdict(ok),
        )
