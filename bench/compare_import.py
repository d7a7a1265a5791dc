"""Import of the generated 2,116-lesson catalog by two checkouts, in one run.

    .venv/bin/python bench/compare_import.py /path/to/old-checkout /path/to/new-checkout

Each checkout uses its own .venv and a fresh SQLite database; the runs alternate (old, new,
then new, old) so both see the same machine. Times are CPU seconds of the `manage.py`
process and its worker processes (user + system), which a busy machine disturbs far less than
wall clock; wall clock is printed beside them, with the load average before each run.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from textgen import generate_catalog

DROPPED = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "CONTENT_DIR", "REDIS_URL", "DEBUG"}


def cpu_seconds(tree: Path, env: dict[str, str], *args: str) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 (our own manage.py with fixed arguments)
        [str(tree / ".venv/bin/python"), "manage.py", *args],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    WALL[args[0]] = time.perf_counter() - started
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


WALL: dict[str, float] = {}  # wall clock of the latest run of each command


def main() -> None:
    trees = {"old": Path(sys.argv[1]).resolve(), "new": Path(sys.argv[2]).resolve()}
    work = Path(tempfile.mkdtemp(prefix="compare-import-"))
    content = work / "content"
    generate_catalog(content, 46, 46)
    results: dict[str, dict[str, list[float]]] = {
        name: {"validate": [], "import": [], "reimport": []} for name in trees
    }
    for order in (("old", "new"), ("new", "old")):
        for name in order:
            db = work / f"{name}-{len(results[name]['import'])}.sqlite3"
            env = {key: value for key, value in os.environ.items() if key not in DROPPED}
            env.update(DATABASE_URL=f"sqlite:///{db}", CONTENT_DIR=str(content), DEBUG="0")
            cpu_seconds(trees[name], env, "migrate", "--noinput")
            results[name]["validate"].append(
                cpu_seconds(trees[name], env, "validate_content", str(content))
            )
            load = os.getloadavg()[0]
            results[name]["import"].append(
                cpu_seconds(trees[name], env, "import_content", str(content))
            )
            cold_wall = WALL["import_content"]
            results[name]["reimport"].append(
                cpu_seconds(trees[name], env, "import_content", str(content))
            )
            print(
                name,
                {key: f"{values[-1]:.1f}s CPU" for key, values in results[name].items()},
                f"cold import {cold_wall:.1f}s wall, re-import {WALL['import_content']:.1f}s wall,"
                f" load average {load:.1f} before",
                flush=True,
            )
    for name, runs in results.items():
        print(
            f"{name}: validate_content {min(runs['validate']):.1f}s CPU, "
            f"cold import {min(runs['import']):.1f}s CPU, "
            f"re-import with nothing changed {min(runs['reimport']):.1f}s CPU (best of 2)"
        )


if __name__ == "__main__":
    main()
