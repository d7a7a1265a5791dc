#!/usr/bin/env python
"""Glassbox benchmarks: every part in one run, one Markdown report.

    .venv/bin/python bench/run.py                       # everything (about 6 minutes on 2 cores)
    .venv/bin/python bench/run.py --quick               # a fast smoke run of every part
    .venv/bin/python bench/run.py --only import,tutor   # a subset

Parts: import, pages, tutor, reports, mixed, search. Every figure is measured in this run and set
against a baseline measured in this run too; targets are printed next to the figures, never
asserted. The exit status is 0 unless a part could not run at all. The report is printed and
written to a file under /tmp (its path is printed at the end). See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import (
    Section,
    Table,
    background_busy,
    log,
    machine_info,
    wait_until_quiet,
)

PARTS = ["import", "pages", "tutor", "reports", "mixed", "search"]


@dataclass
class Context:
    quick: bool
    tmp: Path
    args: argparse.Namespace
    figures: dict[str, float] = field(default_factory=dict)


def _module(part: str):
    if part == "import":
        import b_import as module
    elif part == "pages":
        import b_pages as module
    elif part == "tutor":
        import b_tutor as module
    elif part == "reports":
        import b_reports as module
    elif part == "search":
        import b_search as module
    else:
        import b_mixed as module
    return module


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a fast smoke run of every part")
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"comma-separated parts to run (default: all of {','.join(PARTS)})",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=None,
        help="seconds per load-test target in 'pages' (default 10; --quick 2)",
    )
    parser.add_argument(
        "--mixed-duration",
        type=int,
        default=None,
        help="seconds of Locust traffic in 'mixed' (default 120; --quick 15)",
    )
    parser.add_argument(
        "--mixed-wait",
        default="0.2,1.0",
        metavar="MIN,MAX",
        help="think time of each Locust user between requests, seconds (default %(default)s)",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        metavar="SECONDS",
        help="before each part, wait up to SECONDS for other processes to leave the CPUs "
        "(under 15%% busy); default 0: measure at once",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder (databases, logs, CSVs)"
    )
    parser.add_argument(
        "--results-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "glassbox-bench-results",
        help="where latest.md and a dated copy of the report go (default: %(default)s)",
    )
    parser.add_argument("--output", type=Path, default=None, help="also write the report here")
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        parser.error(f"unknown part(s): {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    args.parts = [p for p in PARTS if p in parts]
    return args


def header(args: argparse.Namespace, elapsed: float) -> str:
    machine = Table(["machine", ""])
    for key, value in machine_info():
        machine.add(key, value)
    mode = (
        "quick (smoke run: small sizes, short loads; figures are not comparable)"
        if args.quick
        else "full"
    )
    return "\n".join(
        [
            "# Glassbox benchmark report",
            "",
            f"Run {time.strftime('%Y-%m-%d %H:%M %Z')}, mode: {mode}, "
            f"parts: {', '.join(args.parts)}, total time {elapsed / 60:.1f} min.",
            "",
            machine.markdown(),
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="glassbox-bench-"))
    ctx = Context(quick=args.quick, tmp=tmp, args=args)
    sections: list[Section] = []
    status = 0
    try:
        for part in args.parts:
            log(f"--- {part} ---")
            busy = wait_until_quiet(args.wait_quiet) if args.wait_quiet else background_busy()
            part_started = time.perf_counter()
            try:
                section = _module(part).run(ctx)
            except Exception as error:  # a broken part is reported; the others still run
                traceback.print_exc()
                section = Section(f"{part}: could not run", failed=True)
                section.notes.append(f"`{type(error).__name__}`: {str(error)[:1500]}")
                status = 1
            section.notes.append(
                f"Part time: {time.perf_counter() - part_started:.0f} s. Other processes kept "
                f"{100 * busy:.0f}% of the CPUs busy just before it"
                + (" (figures are only comparable on a quiet machine)." if busy > 0.15 else ".")
            )
            sections.append(section)
    finally:
        elapsed = time.perf_counter() - started
        report = header(args, elapsed) + "\n" + "\n".join(s.markdown() for s in sections)
        results = args.results_dir
        results.mkdir(parents=True, exist_ok=True)
        latest = results / "latest.md"
        latest.write_text(report, encoding="utf-8")
        (results / f"report-{time.strftime('%Y%m%d-%H%M%S')}.md").write_text(
            report, encoding="utf-8"
        )
        if args.output:
            args.output.write_text(report, encoding="utf-8")
        print(report)
        print(f"Report written to {latest}", file=sys.stderr)
        if args.keep:
            print(f"Temporary files kept in {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
