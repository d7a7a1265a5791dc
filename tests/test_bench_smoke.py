"""The benchmark script still runs: a quick import and tutor pass (about 15 s).

Offline by design: it generates a small catalog and a synthetic lesson in a temporary folder,
uses a temporary SQLite database, starts no server and installs nothing. The bench-only tools
(bench/requirements.txt) are optional here: without rank_bm25 the tutor's baseline row says so.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_quick_import_and_tutor(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--quick",
            "--only",
            "import,tutor",
            "--results-dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = result.stdout
    for heading in (
        "# Glassbox benchmark report",
        "| CPUs (nproc) |",
        "## 1. Import",
        "| step | time | × baseline | target | verdict | import report |",
        "re-import, nothing changed",
        "## 3. Tutor",
        "| measure | p50 | p95 | p50 × baseline | p95 × baseline | target | verdict |",
        "| lesson words | sentences |",
    ):
        assert heading in report, f"{heading!r} missing from the report:\n{report}"
    assert "could not run" not in report
    assert (tmp_path / "latest.md").exists()
