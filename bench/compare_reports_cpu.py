"""CPU per report page, two checkouts in one run (issue #17, reports).

    .venv/bin/python bench/compare_reports_cpu.py OLD NEW [N] [ATTEMPTS] [postgres]

The reports benchmark (b_reports.py) times each report page on 100,000 attempts. This measures
the CPU each page costs, which a busy machine disturbs far less: the shipped content and
ATTEMPTS attempts (default 20,000; as many logged tutor questions, learners a tenth as many)
are seeded once by the new checkout (bench/django_tasks.py seed-reports), then each checkout,
with this .venv and the production settings, requests every page b_reports.py times N times
(default 20) as the staff user through django.test.Client, and reports CPU milliseconds per
page (time.process_time). Rounds alternate old, new, new, old, old, new on one database, so
both checkouts must share its schema. With ``postgres`` the database is a fresh PostgreSQL one
at 127.0.0.1 (dropped at the end), one connection serves a whole round and each figure adds the
CPU its backend spent (read from /proc, so PostgreSQL must run on this machine).
"""

from __future__ import annotations

import ast
import json
import sys
import tempfile
from pathlib import Path

from benchlib import BENCH_DIR, MEASURE_PREAMBLE, alternate_checkouts, comparison_env

MEASURE = (
    MEASURE_PREAMBLE
    + r"""
from django.contrib.auth import get_user_model
from django.test import Client
PAGES = json.loads(sys.argv[2])
N = int(sys.argv[1])
client = Client()
client.force_login(get_user_model().objects.get(username="bench-staff"))

def get(url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    b"".join(response.streaming_content) if response.streaming else response.content

result = {}
for name, url in PAGES:
    get(url)
    backend, start = backend_seconds(), time.process_time()
    for _ in range(N):
        get(url)
    result[name] = (time.process_time() - start + backend_seconds() - backend) / N * 1000
print(json.dumps(result))
"""
)


def report_pages() -> list[list[str]]:
    """django_tasks.py's REPORT_PAGES, read without importing it (importing sets Django up)."""
    tree = ast.parse((BENCH_DIR / "django_tasks.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "REPORT_PAGES":
            return ast.literal_eval(node.value)
    raise LookupError("REPORT_PAGES not found in bench/django_tasks.py")


def main() -> None:
    args = [arg for arg in sys.argv[1:] if arg != "postgres"]
    trees = {"old": Path(args[0]).resolve(), "new": Path(args[1]).resolve()}
    runs = args[2] if len(args) > 2 else "20"
    attempts = int(args[3]) if len(args) > 3 else 20_000
    work = Path(tempfile.mkdtemp(prefix="compare-reports-cpu-"))
    seed = ("seed-reports", str(attempts), str(attempts // 10), str(attempts))
    with comparison_env(work, postgres="postgres" in sys.argv[1:]) as env:
        pages = json.dumps(report_pages())
        results = alternate_checkouts(trees, env, MEASURE, runs, pages, seed=seed)
    for key in results["old"][0]:
        old, new = (sorted(run[key] for run in results[name])[1] for name in ("old", "new"))
        ratio = new / old
        print(f"{key}: old {old:.2f} ms CPU, new {new:.2f} ms (median of 3), new ÷ old {ratio:.2f}")


if __name__ == "__main__":
    main()
