"""3. Tutor: `answer_question` on synthetic lessons, against plain BM25 over the same sentences.

Pure Python, no Django, no database: `tutor/retrieval/` is imported directly. The baseline is
`rank_bm25.BM25Okapi` over the index's own sentence stems (the same tokenisation, stop words
and stemmer), scoring every sentence for the question's terms and taking the top three: the
least a retrieval tutor has to do. Both are timed per question, in this process, on a second
pass over the same questions (warm caches, as in a long-running server); the tutor's first pass,
when the sentence encoder meets each quoted unit for the first time, is reported too.
"""

from __future__ import annotations

import json
import sys
import time

from benchlib import (
    ROOT,
    Section,
    Table,
    fmt_int,
    fmt_ms,
    fmt_ratio,
    log,
    median,
    percentile,
    verdict,
)
from textgen import tutor_lesson, tutor_questions

sys.path.insert(0, str(ROOT))

from tutor import retrieval

P95_TARGET_MS = 20.0
MAIN_WORDS = 10_000
GROWTH_WORDS = (2_500, 5_000, 10_000, 20_000)


def _lesson_text(lesson) -> retrieval.LessonText:
    return retrieval.LessonText(
        title=lesson.title,
        summary=lesson.summary,
        sections=tuple(retrieval.SectionText(h, a, t) for h, a, t in lesson.sections),
        key_terms=tuple(lesson.key_terms),
        big_idea=lesson.big_idea,
    )


def _time_each(function, items, first_pass: list[float] | None = None) -> list[float]:
    """Per-item milliseconds of a second pass over ``items``; the first pass (caches cold: the
    sentence encoder meets each quoted unit for the first time) goes into ``first_pass``."""
    for item in items:
        start = time.perf_counter()
        function(item)
        if first_pass is not None:
            first_pass.append((time.perf_counter() - start) * 1000)
    times = []
    for item in items:
        start = time.perf_counter()
        function(item)
        times.append((time.perf_counter() - start) * 1000)
    return times


def _bm25_class():
    try:
        from rank_bm25 import BM25Okapi
    except ImportError:
        return None
    return BM25Okapi


def measure(words: int, n_questions: int) -> dict:
    lesson = tutor_lesson(words)
    text = _lesson_text(lesson)
    builds = []
    for _ in range(3):
        start = time.perf_counter()
        index = retrieval.build_index(text)
        builds.append((time.perf_counter() - start) * 1000)
    stored = json.dumps(index.to_dict())
    loads = _time_each(lambda _: retrieval.LessonIndex.from_dict(json.loads(stored)), range(20))
    # What tutor.services.index_for does once its process has parsed that text: each request
    # reads the stored text anew (a new string, compared in full) and gets the parsed index.
    parsed = retrieval.ParsedIndexes(max_chars=len(stored))
    parsed.load(1, stored)
    copies = [stored.encode().decode() for _ in range(20)]
    kept = _time_each(lambda i: parsed.load(1, copies[i]), range(20))
    questions = tutor_questions(lesson, n_questions)
    texts = [q for _, q in questions]
    answers = {}

    def ask(q: str) -> None:
        answers[q] = retrieval.answer_question(index, q)

    cold_ms: list[float] = []
    tutor_ms = _time_each(ask, texts, first_pass=cold_ms)
    result = {
        "words": lesson.words,
        "sentences": index.n,
        "build_ms": min(builds),
        "load_ms": median(loads),
        "kept_ms": median(kept),
        "index_kb": len(stored) / 1024,
        "tutor_ms": tutor_ms,
        "cold_ms": cold_ms,
        "questions": questions,
        "answers": answers,
        "bm25_ms": None,
    }
    bm25_class = _bm25_class()
    if bm25_class is not None:
        bm25 = bm25_class([retrieval.content_terms(u.text) for u in index.units])

        def rank(q: str) -> list[int]:
            terms = retrieval.query_terms(retrieval.tokenize(q))
            scores = bm25.get_scores(terms)
            return list(scores.argsort()[::-1][:3])

        result["bm25_ms"] = _time_each(rank, texts)
    return result


def run(ctx) -> Section:
    section = Section("3. Tutor")
    n_main, n_growth = (120, 60) if ctx.quick else (520, 300)
    log(f"tutor: {MAIN_WORDS:,}-word lesson, {n_main} questions")
    main = measure(MAIN_WORDS, n_main)
    have_bm25 = main["bm25_ms"] is not None
    on = [(k, q) for k, q in main["questions"] if k == "answerable"]
    off = [(k, q) for k, q in main["questions"] if k != "answerable"]
    answered = sum(main["answers"][q].kind == "answer" for _, q in on)
    declined = sum(main["answers"][q].kind != "answer" for _, q in off)
    section.intro.append(
        f"A synthetic lesson of {main['words']:,} words ({main['sentences']:,} sentences, "
        f"`bench/textgen.py`, deterministic) and {len(main['questions'])} questions: "
        f"{len(on)} paraphrases of lesson sentences (some with a typo) and {len(off)} off-topic "
        "(a few greetings, thanks and prompt injections). The tutor quoted the lesson for "
        f"{answered} of {len(on)} paraphrases ({100 * answered / len(on):.0f}%) and declined "
        f"{declined} of {len(off)} off-topic questions ({100 * declined / len(off):.0f}%)."
    )
    table = Table(
        ["measure", "p50", "p95", "p50 × baseline", "p95 × baseline", "target", "verdict"]
    )
    if have_bm25:
        b50, b95 = median(main["bm25_ms"]), percentile(main["bm25_ms"], 95)
        table.add(
            "baseline: `rank_bm25` BM25Okapi, score all sentences, top 3",
            fmt_ms(b50),
            fmt_ms(b95),
            "1.00×",
            "1.00×",
            "—",
            "",
        )
    else:
        b50 = b95 = float("nan")
        table.add(
            "baseline: `rank_bm25` is not installed (pip install -r bench/requirements.txt)",
            "n/a",
            "n/a",
            "",
            "",
            "—",
            "",
        )
    t50, t95 = median(main["tutor_ms"]), percentile(main["tutor_ms"], 95)
    table.add(
        "`answer_question` (per question)",
        fmt_ms(t50),
        fmt_ms(t95),
        fmt_ratio(t50 / b50),
        fmt_ratio(t95 / b95),
        f"p95 < {P95_TARGET_MS:.0f} ms",
        verdict(t95 < P95_TARGET_MS),
    )
    c50, c95 = median(main["cold_ms"]), percentile(main["cold_ms"], 95)
    table.add(
        "`answer_question`, first pass in a fresh process (each quoted unit encoded for the "
        "first time)",
        fmt_ms(c50),
        fmt_ms(c95),
        fmt_ratio(c50 / b50),
        fmt_ratio(c95 / b95),
        f"p95 < {P95_TARGET_MS:.0f} ms",
        verdict(c95 < P95_TARGET_MS),
    )
    for name, key in (
        (
            "loading the stored index, first request for it in a process (`json.loads` + "
            f"`from_dict`, {main['index_kb']:,.0f} KB JSON)",
            "load_ms",
        ),
        (
            "loading the stored index per request once the process has parsed it "
            "(`ParsedIndexes.load`: the stored text compared with the one parsed)",
            "kept_ms",
        ),
        ("`build_index` (once per import, best of 3)", "build_ms"),
    ):  # one figure each, beside BM25's p50
        table.add(name, fmt_ms(main[key]), "", fmt_ratio(main[key] / b50), "", "—", "")
    section.tables.append(table)

    log("tutor: growth with lesson length")
    growth = Table(
        [
            "lesson words",
            "sentences",
            "`build_index`",
            "index load, first request in a process",
            "tutor p50",
            "tutor p95",
            "BM25 p50",
            "tutor p50 × BM25",
            "words × smallest",
            "tutor p50 × smallest",
        ]
    )
    rows = []
    for words in GROWTH_WORDS:
        m = main if words == MAIN_WORDS and n_growth == n_main else measure(words, n_growth)
        rows.append(m)
    first = rows[0]
    for m in rows:
        p50 = median(m["tutor_ms"])
        bm50 = median(m["bm25_ms"]) if m["bm25_ms"] else float("nan")
        growth.add(
            fmt_int(m["words"]),
            fmt_int(m["sentences"]),
            fmt_ms(m["build_ms"]),
            fmt_ms(m["load_ms"]),
            fmt_ms(p50),
            fmt_ms(percentile(m["tutor_ms"], 95)),
            fmt_ms(bm50),
            fmt_ratio(p50 / bm50),
            fmt_ratio(m["words"] / first["words"]),
            fmt_ratio(p50 / median(first["tutor_ms"])),
        )
    section.tables.append(growth)
    last = rows[-1]
    word_growth = last["words"] / first["words"]
    cost_growth = median(last["tutor_ms"]) / median(first["tutor_ms"])
    load_growth = last["load_ms"] / first["load_ms"]
    request_growth = (median(last["tutor_ms"]) + last["load_ms"]) / (
        median(first["tutor_ms"]) + first["load_ms"]
    )
    section.notes.append(
        f"Growth, {first['words']:,} → {last['words']:,} words ({word_growth:.1f}×): "
        f"`answer_question` p50 {cost_growth:.1f}×; index load + answer (what a process's first "
        f"tutor request about a lesson costs the app besides the database) "
        f"{request_growth:.1f}×. Target: no faster than the lesson (≤ {word_growth:.1f}×) — "
        f"{verdict(cost_growth <= word_growth and request_growth <= word_growth)}. Loading the "
        f"index alone is linear by nature ({load_growth:.1f}×): it reads all of it."
    )
    section.notes.append(
        f"Growth questions: {n_growth} per lesson, generated from that lesson the same way."
    )
    ctx.figures["tutor_p95_ms"] = t95
    return section
