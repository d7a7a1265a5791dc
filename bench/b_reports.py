"""4. Reports with 100,000 quiz attempts, through Django's test client as a staff user.

A fresh SQLite database gets the shipped content, ~3,000 learners and 100,000 attempts (each
with its 15 AttemptAnswer rows, the options chosen and a full-size snapshot), inserted with
bulk_create in batches by `bench/django_tasks.py seed-reports`. Then `time-reports` requests
each report page a few times (after one warm-up request) and counts its queries. The baseline
is the cheapest question one can ask of the same table: counting one lesson's attempts.
"""

from __future__ import annotations

import os

from benchlib import (
    Section,
    Table,
    django_task,
    fmt_int,
    fmt_ms,
    fmt_ratio,
    fmt_s,
    log,
    median,
    prepare_site,
)

PAGE_TARGET_MS = 1000.0  # an instructor's page: interactive


def run(ctx) -> Section:
    attempts, learners, runs = (5_000, 300, 3) if ctx.quick else (100_000, 3_000, 5)
    section = Section("4. Reports")
    tmp = ctx.tmp / "reports"
    log("reports: migrate, import shipped content")
    env = prepare_site(tmp, f"sqlite:///{tmp / 'reports.sqlite3'}")
    log(f"reports: seeding {attempts:,} attempts for {learners:,} learners")
    seeded = django_task("seed-reports", str(attempts), str(learners), env=env, timeout=1800)
    db_mb = (tmp / "reports.sqlite3").stat().st_size / 1e6
    os.sync()  # let the kernel write the new gigabytes out now, not while pages are timed
    log("reports: timing the pages")
    timed = django_task("time-reports", str(runs), env=env, timeout=1800)
    results = timed["results"]
    base = median(results[0]["times"])
    section.intro.append(
        f"SQLite, shipped content ({seeded['lessons']} lessons), {seeded['learners']:,} learners, "
        f"{seeded['attempts']:,} attempts with {seeded['answers']:,} answers and "
        f"{seeded['chosen_options']:,} chosen options, {seeded['progress_rows']:,} progress rows "
        f"(seeded in {fmt_s(seeded['seconds'])}; database {db_mb:,.0f} MB). "
        f"The lesson pages are for `inside-the-black-box/superposition` "
        f"({timed['attempts_for_lesson']:,} attempts). Each page: p50 of {runs} requests "
        "after one warm-up, as a signed-in staff user through `django.test.Client` "
        "(the whole Django stack but no HTTP server)."
    )
    table = Table(["page", "p50", "× baseline", "queries", "status", "bytes", "target", "verdict"])
    for row in results:
        p50 = median(row["times"])
        is_base = row is results[0]
        ok = None if is_base else (p50 * 1000 < PAGE_TARGET_MS and row["status"] == 200)
        table.add(
            row["name"],
            fmt_ms(p50 * 1000),
            "1.00×" if is_base else fmt_ratio(p50 / base),
            fmt_int(row["queries"]),
            row["status"],
            fmt_int(row["bytes"]) if row["bytes"] else "",
            "—" if is_base else f"< {PAGE_TARGET_MS / 1000:.0f} s",
            "" if ok is None else ("met" if ok else "**not met**"),
        )
    section.tables.append(table)
    section.notes.append(
        "The brief set no target for report pages; the 1 s shown is this benchmark's own "
        "(an instructor's page should feel interactive)."
    )
    ctx.figures["reports_seconds"] = seeded["seconds"]
    return section
