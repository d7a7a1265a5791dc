"""5. Mixed load with Locust against gunicorn + PostgreSQL (+ Redis when the settings read
REDIS_URL): lesson reads, progress sync, quiz submissions and tutor questions at once.

The database `glassbox_bench` is created for the run and dropped after it; Redis database 5 is
flushed before the run. The baseline is a static file requested by the same simulated users
under the same load (its p95 is the queueing every request sees before the app does any work).
"""

from __future__ import annotations

import contextlib
import csv
import os
import resource
import shutil
import subprocess
from pathlib import Path

from benchlib import (
    PYTHON,
    ROOT,
    BenchError,
    Section,
    Table,
    admin_sql,
    django_task,
    fmt_int,
    fmt_ms,
    fmt_ratio,
    gunicorn,
    log,
    machine_cpu_times,
    prepare_site,
    reads_redis_url,
    run_cmd,
    verdict,
)

DATABASE = "glassbox_bench"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
REDIS_URL = "redis://127.0.0.1:6379/5"
USERS = 32
SPAWN_RATE = 8
PASSWORD = "bench-locust-password-not-secret"  # noqa: S105 (throwaway accounts in a temp database)
KINDS = [
    ("lesson page", "lesson read (70)"),
    ("progress sync", "progress sync (15)"),
    ("quiz: lesson page", "quiz: the lesson page first (10)"),
    ("quiz submit", "quiz submission (10)"),
    ("tutor question", "tutor question (5)"),
    ("sign in: form", "sign in: form (once per user)"),
    ("sign in: POST", "sign in: POST (once per user)"),
]
BASELINE = "static site.css (baseline)"


def _flush_redis() -> None:
    try:
        import redis
    except ImportError:
        if shutil.which("redis-cli"):
            run_cmd(["redis-cli", "-u", REDIS_URL, "flushdb"])
        return
    redis.Redis.from_url(REDIS_URL).flushdb()


def _read_stats(prefix: Path) -> dict[str, dict]:
    rows = {}
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = row
    return rows


def _failures(prefix: Path) -> list[str]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        return [
            f"{row['Name']}: {row['Error'][:160]} ×{row['Occurrences']}"
            for row in csv.DictReader(handle)
        ]


def run(ctx) -> Section:
    duration = ctx.args.mixed_duration or (15 if ctx.quick else 120)
    wait = ctx.args.mixed_wait
    section = Section("5. Mixed load (Locust, PostgreSQL, Redis)")
    tmp = ctx.tmp / "mixed"
    tmp.mkdir(parents=True, exist_ok=True)
    locust = str(Path(PYTHON).with_name("locust"))
    if not Path(locust).exists():
        raise BenchError("locust is not installed: pip install -r bench/requirements.txt")
    use_redis = reads_redis_url()
    extra = {"REDIS_URL": REDIS_URL} if use_redis else {}
    if use_redis:
        _flush_redis()

    log(f"mixed: creating database {DATABASE}")
    admin_sql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    admin_sql(f"CREATE DATABASE {DATABASE}")
    try:
        log("mixed: migrate, import shipped content, collectstatic, learners")
        env = prepare_site(tmp, DATABASE_URL, **extra)
        lessons_json = tmp / "lessons.json"
        django_task("create-learners", str(USERS * 2), PASSWORD, str(lessons_json), env=env)
        prefix = tmp / "locust"
        server_log = tmp / "gunicorn.log"
        with gunicorn(env, workers=4, log=server_log) as server:
            base = server.url
            log(f"mixed: Locust, {USERS} users, {duration} s")
            busy0, total0 = machine_cpu_times()
            server_cpu0 = server.cpu_seconds()
            children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            locust_env = dict(
                os.environ,
                BENCH_LESSONS_JSON=str(lessons_json),
                BENCH_PASSWORD=PASSWORD,
                BENCH_WAIT=wait,
            )
            result = subprocess.run(  # noqa: S603
                [
                    locust,
                    "-f",
                    str(ROOT / "bench" / "locustfile.py"),
                    "--headless",
                    "-u",
                    str(USERS),
                    "-r",
                    str(SPAWN_RATE),
                    "-t",
                    f"{duration}s",
                    "--host",
                    base,
                    "--csv",
                    str(prefix),
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                    "--stop-timeout",
                    "10",
                ],
                cwd=ROOT,
                env=locust_env,
                capture_output=True,
                text=True,
                timeout=duration + 120,
                check=False,
            )
            busy1, total1 = machine_cpu_times()
            server_cpu = server.cpu_seconds() - server_cpu0
            children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            locust_cpu = (children1.ru_utime + children1.ru_stime) - (
                children0.ru_utime + children0.ru_stime
            )
            (tmp / "locust.log").write_text(result.stdout + result.stderr, encoding="utf-8")
            if not Path(f"{prefix}_stats.csv").exists():
                raise BenchError(
                    f"Locust wrote no statistics:\n{(result.stdout + result.stderr)[-3000:]}"
                )
        server_errors = sum(
            1
            for line in server_log.read_text(encoding="utf-8", errors="replace").splitlines()
            if " ERROR " in line or "Traceback" in line
        )
    finally:
        with contextlib.suppress(BenchError):
            admin_sql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        if use_redis:
            with contextlib.suppress(Exception):
                _flush_redis()

    stats = _read_stats(prefix)
    total = stats.get("Aggregated", {})
    base_row = stats.get(BASELINE)
    base_p95 = float(base_row["95%"]) if base_row else float("nan")
    section.intro.append(
        f"gunicorn `-w 4` (sync), settings `{env['BENCH_BASE_SETTINGS']}`, PostgreSQL "
        f"(`{DATABASE}`, created and dropped by the run), "
        + (
            f"Redis cache and sessions (`{REDIS_URL}`)"
            if use_redis
            else "no Redis (the settings do not read REDIS_URL)"
        )
        + f"; Locust {USERS} users (spawn {SPAWN_RATE}/s), each a signed-in learner, think time "
        f"{wait.replace(',', '–')} s, {duration} s. Mix by weight: lesson 70, progress sync 15, "
        "quiz 10 (page + submit), tutor 5, plus site.css 3 as the baseline. Total: "
        f"{fmt_int(float(total.get('Request Count', 0)))} requests, "
        f"{float(total.get('Requests/s', 0)):.0f} requests/s."
    )
    table = Table(
        [
            "request kind",
            "requests",
            "failures",
            "failure ratio",
            "p50",
            "p95",
            "p95 × baseline",
            "target",
            "verdict",
        ]
    )
    if base_row:
        table.add(
            "static `site.css` (baseline)",
            fmt_int(float(base_row["Request Count"])),
            base_row["Failure Count"],
            f"{100 * int(base_row['Failure Count']) / max(1, int(base_row['Request Count'])):.2f}%",
            fmt_ms(float(base_row["50%"])),
            fmt_ms(base_p95),
            "1.00×",
            "—",
            "",
        )
    for name, label in KINDS:
        row = stats.get(name)
        if not row:
            table.add(label, "0", "", "", "", "", "", "", "not run")
            continue
        count, failed = int(row["Request Count"]), int(row["Failure Count"])
        p95 = float(row["95%"])
        table.add(
            label,
            fmt_int(count),
            fmt_int(failed),
            f"{100 * failed / max(1, count):.2f}%",
            fmt_ms(float(row["50%"])),
            fmt_ms(p95),
            fmt_ratio(p95 / base_p95),
            "0 failures",
            verdict(failed == 0 and count > 0),
        )
    section.tables.append(table)
    for failure in _failures(prefix)[:8]:
        section.notes.append(f"Failure: {failure}")
    cores = os.cpu_count() or 1
    wall = duration
    section.notes.append(
        f"CPU during the run: the machine's {cores} cores were "
        f"{100 * (busy1 - busy0) / max(1, total1 - total0):.0f}% busy; gunicorn used "
        f"{server_cpu:.0f} CPU-s ({100 * server_cpu / (wall * cores):.0f}% of the machine), "
        f"Locust {locust_cpu:.0f} CPU-s ({100 * locust_cpu / (wall * cores):.0f}%), the rest "
        "was PostgreSQL, Redis and the system."
    )
    section.notes.append(f"Server log: {server_errors} ERROR/Traceback lines.")
    section.notes.append(
        "Latencies are Locust's (client side, rounded by its histogram); Locust ran on the same "
        "2 cores as gunicorn and PostgreSQL."
    )
    ctx.figures["mixed_failures"] = float(total.get("Failure Count", 0))
    return section
