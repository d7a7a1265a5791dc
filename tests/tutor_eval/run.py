"""Measure the tutor on any lessons and question files, in a throwaway database.

    python -m tests.tutor_eval.run --content DIR --questions FILE [FILE ...] [--no-split]
    python -m tests.tutor_eval.run --squad squad-v2.json [--articles N]

The content folder is validated and imported with the real importer into a fresh SQLite
database in a temporary folder (your own database is never touched), every question is answered
by the real tutor, and a table prints the tutor's figures beside the baselines computed in the
same run (always decline; plain BM25 quoting its top 1 or top 3 sentences). The question file
format is in tests/tutor_eval/README.md. Exit status 1 on invalid content or question files.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from . import harness, squad
from .harness import ALL, HELD_OUT, TUNING, EvalReport, Score, table

ROOT = Path(__file__).resolve().parents[2]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tests.tutor_eval.run", description=__doc__.split("\n\n")[0]
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--content", type=Path, help="a content folder (course folders inside)")
    source.add_argument("--squad", type=Path, help="a SQuAD 2.0 JSON file")
    parser.add_argument("--questions", type=Path, nargs="+", default=[], help="question files")
    parser.add_argument("--name", help="the set's name in the table (default: the files' names)")
    parser.add_argument(
        "--no-split", action="store_true", help="report all cases only, not the two hash halves"
    )
    parser.add_argument("--articles", type=int, help="SQuAD: only the first N articles")
    parser.add_argument("--failures", type=int, default=0, help="list up to N failed cases")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    return parser


def _setup_django(folder: Path) -> None:
    """A fresh SQLite database in ``folder`` and a per-process cache, then migrate."""
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'eval.sqlite3'}"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.content is not None and not args.questions:
        _parser().error("--content needs --questions FILE [FILE ...]")
    with tempfile.TemporaryDirectory(prefix="tutor-eval-") as folder:
        tmp = Path(folder)
        # Questions first: a malformed file is reported before any database work.
        if args.squad is not None:
            articles = squad.load(args.squad)[: args.articles]
            content = squad.write_course(articles, tmp / "content")
            cases = [case for article in articles for case in article.cases]
            name = args.name or f"SQuAD 2.0: {args.squad.name} ({len(articles)} articles)"
        else:
            content = args.content
            try:
                cases = [c for path in args.questions for c in harness.load_questions(path)]
            except (OSError, harness.QuestionFileError) as error:
                print(error, file=sys.stderr)
                return 1
            name = args.name or " + ".join(path.name for path in args.questions)
        _setup_django(tmp)
        return _run(args, name, content, cases)


def _run(args: argparse.Namespace, name: str, content: Path, cases: list[harness.EvalCase]) -> int:
    # Imported once Django is configured: these modules load models.
    from courses.importer import ContentInvalid

    from . import runner

    started = time.monotonic()
    try:
        runner.import_lessons(content)
    except ContentInvalid as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1
    try:
        runner.check_lessons(cases)
    except LookupError as error:
        print(error.args[0], file=sys.stderr)
        return 1
    report, baselines = runner.run(name, cases)
    print(render(report, baselines, split=not args.no_split, markdown=args.markdown))
    print(f"({len(cases)} questions in {time.monotonic() - started:.1f} s)")
    if args.failures:
        print()
        print(harness.format_failures(report, args.failures, split=not args.no_split))
    return 0


def render(
    report: EvalReport,
    baselines: dict[str, dict[str, Score]],
    *,
    split: bool = True,
    markdown: bool = False,
) -> str:
    """The tutor's rows, then each baseline's, per split (or all cases only)."""
    splits = (TUNING, HELD_OUT, ALL) if split else (ALL,)
    rows = [(f"tutor: {s}", report.by_split()[s]) for s in splits]
    for baseline, scores in baselines.items():
        rows.extend((f"{baseline}: {s}", scores[s]) for s in splits)
    lines = [f"== {report.name} ==", table(rows, title="who: split", markdown=markdown)]
    aucs = {s: report.auc(s) for s in splits}
    if any(auc is not None for auc in aucs.values()):
        figures = ", ".join(f"{s} {auc:.3f}" for s, auc in aucs.items() if auc is not None)
        lines.append(f"ROC AUC of the tutor's confidence (answerable vs not) = {figures}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
