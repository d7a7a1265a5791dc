"""Import of the generated 2,116-lesson catalog by two checkouts, in one run.

    .venv/bin/python bench/compare_import.py /path/to/old-checkout /path/to/new-checkout
    .venv/bin/python bench/compare_import.py OLD NEW postgres

Each checkout uses its own .venv and a fresh SQLite database; the runs alternate (old, new,
then new, old) so both see the same machine. Times are CPU seconds of the `manage.py`
process and its worker processes (user + system), which a busy machine disturbs far less than
wall clock; wall clock is printed beside them, with the load average before each run.

With ``postgres`` each run imports into a fresh PostgreSQL database at 127.0.0.1 instead
(created, migrated by that checkout, dropped after), and the import's figures add the CPU its
database backend spent (read from /proc at the end of the import, so PostgreSQL must run on
this machine). Parallel index builds are turned off for the import's connection (PGOPTIONS),
so an index build's CPU is all the backend's own rather than partly a worker's not counted.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import MEASURE_PREAMBLE, admin_sql
from textgen import generate_catalog

DROPPED = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "CONTENT_DIR", "REDIS_URL", "DEBUG"}
# PostgreSQL: `import_content` run in a process that then prints its backend's CPU seconds.
IMPORT = (
    MEASURE_PREAMBLE
    + r"""
from django.core.management import call_command
call_command("import_content", sys.argv[1])
print(json.dumps({"backend": backend_seconds()}))
"""
)


def cpu_seconds(tree: Path, env: dict[str, str], *args: str) -> float:
    """CPU seconds of ``manage.py *args`` in ``tree`` and its workers; on PostgreSQL an
    import's adds its backend's."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    measured = args[0] == "import_content" and env["DATABASE_URL"].startswith("postgres")
    command = ["-c", IMPORT, *args[1:]] if measured else ["manage.py", *args]
    done = subprocess.run(  # noqa: S603 (our own manage.py or script, fixed arguments)
        [str(tree / ".venv/bin/python"), *command],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    WALL[args[0]] = time.perf_counter() - started
    backend = json.loads(done.stdout.strip().splitlines()[-1])["backend"] if measured else 0.0
    BACKEND[args[0]] = backend
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime) + backend


WALL: dict[str, float] = {}  # wall clock of the latest run of each command
BACKEND: dict[str, float] = {}  # its PostgreSQL backend's CPU seconds (0 on SQLite)


def main() -> None:
    trees = {"old": Path(sys.argv[1]).resolve(), "new": Path(sys.argv[2]).resolve()}
    postgres = sys.argv[3:] == ["postgres"]
    work = Path(tempfile.mkdtemp(prefix="compare-import-"))
    content = work / "content"
    generate_catalog(content, 46, 46)
    results: dict[str, dict[str, list[float]]] = {
        name: {"validate": [], "import": [], "reimport": []} for name in trees
    }
    backends: dict[str, list[float]] = {name: [] for name in trees}  # of the cold imports
    for order in (("old", "new"), ("new", "old")):
        for name in order:
            run = f"{name}_{len(results[name]['import'])}"
            env = {key: value for key, value in os.environ.items() if key not in DROPPED}
            # The settings manage.py defaults to, for the import run as a script on PostgreSQL.
            env.update(
                CONTENT_DIR=str(content), DEBUG="0", DJANGO_SETTINGS_MODULE="config.settings"
            )
            if postgres:
                database = f"compare_import_{os.getpid()}_{run}"
                admin_sql(f"CREATE DATABASE {database}")
                url = f"postgres://postgres@127.0.0.1:5432/{database}"
                env.update(DATABASE_URL=url, PGOPTIONS="-c max_parallel_maintenance_workers=0")
            else:
                env.update(DATABASE_URL=f"sqlite:///{work / run}.sqlite3")
            cpu_seconds(trees[name], env, "migrate", "--noinput")
            results[name]["validate"].append(
                cpu_seconds(trees[name], env, "validate_content", str(content))
            )
            load = os.getloadavg()[0]
            results[name]["import"].append(
                cpu_seconds(trees[name], env, "import_content", str(content))
            )
            cold_wall, cold_backend = WALL["import_content"], BACKEND["import_content"]
            backends[name].append(cold_backend)
            results[name]["reimport"].append(
                cpu_seconds(trees[name], env, "import_content", str(content))
            )
            if postgres:
                admin_sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            print(
                name,
                {key: f"{values[-1]:.1f}s CPU" for key, values in results[name].items()},
                f"cold import {cold_wall:.1f}s wall ({cold_backend:.1f}s CPU of it the backend's),"
                f" re-import {WALL['import_content']:.1f}s wall, load average {load:.1f} before",
                flush=True,
            )
    for name, runs in results.items():
        print(
            f"{name}: validate_content {min(runs['validate']):.1f}s CPU, "
            f"cold import {min(runs['import']):.1f}s CPU"
            + (f" ({min(backends[name]):.1f}s the backend's)" if postgres else "")
            + f", re-import with nothing changed {min(runs['reimport']):.1f}s CPU (best of 2)"
        )
    for step in ("import", "reimport"):
        ratio = min(results["new"][step]) / min(results["old"][step])
        print(f"{step}: new ÷ old {ratio:.2f} (best of 2 each)")
    if postgres:
        ratio = min(backends["new"]) / min(backends["old"])
        print(f"cold import, the backend's CPU alone: new ÷ old {ratio:.2f} (best of 2 each)")


if __name__ == "__main__":
    main()
