# ruff: noqa: S311
# (seeded pseudo-random learners and answers: nothing here is secret)
"""Django-side steps of the benchmarks, run in a subprocess by bench/run.py:

    python bench/django_tasks.py page-sizes
    python bench/django_tasks.py seed-reports ATTEMPTS LEARNERS [TUTOR_QUESTIONS]
    python bench/django_tasks.py time-reports RUNS
    python bench/django_tasks.py create-learners COUNT PASSWORD LESSONS_JSON

DJANGO_SETTINGS_MODULE and DATABASE_URL come from the environment. Each task prints one JSON
line last, which the caller reads.
"""

from __future__ import annotations

import json
import math
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

import legacy_reports  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from courses.models import Lesson, Question  # noqa: E402
from lessons.models import LessonProgress  # noqa: E402
from quizzes.models import Attempt, AttemptAnswer, chosen_ids  # noqa: E402
from tutor.models import TutorQuestion  # noqa: E402
from tutor.question_log import wording_key  # noqa: E402

LESSON_URL = "/courses/inside-the-black-box/superposition/"


def emit(data: dict) -> None:
    print(json.dumps(data), flush=True)


# ---------------------------------------------------------------------------------------------
# page-sizes
# ---------------------------------------------------------------------------------------------
def page_sizes() -> None:
    client = Client()
    sizes = {}
    for name, url in (("lesson", LESSON_URL), ("catalog", "/")):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        sizes[name] = len(response.content)
    emit(sizes)


# ---------------------------------------------------------------------------------------------
# seed-reports: learners, attempts with answers and chosen options, progress, tutor questions
# ---------------------------------------------------------------------------------------------
def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _snapshot_template(lesson: Lesson, questions: list[Question]) -> list[dict]:
    """What the quiz stores per attempt: the questions as asked (about 20 KB for 15 questions,
    as a real submission stores), so rows are as large as on a real site."""
    headings = dict(lesson.sections.values_list("anchor", "heading"))
    return [
        {
            "question": q.pk,
            "number": number,
            "prompt_html": q.prompt_html,
            "is_multiple": q.is_multiple,
            "options": [
                {
                    "id": o.pk,
                    "text_html": o.text_html,
                    "is_correct": o.is_correct,
                    "feedback_html": o.feedback_html,
                    "chosen": False,
                }
                for o in q.options.all()
            ],
            "answered": True,
            "correct": False,
            "explanation_html": q.explanation_html,
            "reread_anchor": q.see_anchor,
            "reread_heading": headings.get(q.see_anchor, ""),
        }
        for number, q in enumerate(questions, start=1)
    ]


TOPICS = [
    "the world cup",
    "rlhf",
    "the capital of france",
    "gpt-5 release date",
    "my homework",
    "quantum computing",
    "the stock market",
    "how to bake bread",
    "python decorators",
    "attention heads",
    "llama weights",
    "the meaning of life",
    "transformers vs lstms",
    "my grade",
    "the exam date",
    "dropout",
    "batch norm",
    "reinforcement learning",
]
FORMS = [
    "what is {t}?",
    "explain {t}",
    "tell me about {t}",
    "can you explain {t} please",
    "{t}?",
    "why does {t} matter",
    "how does {t} work",
    "what about {t}",
]


def seed_tutor_log(count: int, learner_ids: list[int], lessons: list[Lesson], rng) -> int:
    """``count`` logged tutor questions: a third on the lesson the benchmark reports on, most
    declined, asked by learners and anonymous visitors, plus one anonymous visitor flooding
    that lesson with thousands of different questions. A visitor's identical repeats are one
    row (the log's unique constraint), so rows are drawn until ``count`` distinct ones exist."""
    target = next(lesson for lesson in lessons if lesson.slug == "superposition")
    anchors = {
        lesson.pk: list(lesson.sections.values_list("anchor", flat=True)) for lesson in lessons
    }
    anonymous = [f"anon:{rng.getrandbits(160):040x}" for _ in range(5000)]
    flooder = f"anon:{rng.getrandbits(160):040x}"
    base_time = datetime(2026, 1, 5, tzinfo=UTC)
    rows: dict[tuple[int, str, str], TutorQuestion] = {}
    flood = min(count // 10, 10_000)
    for n in range(flood):  # different wordings: the dedupe does not shrink a flood like this
        text = f"{rng.choice(FORMS).format(t=rng.choice(TOPICS))} ({n})"
        key = (target.pk, flooder, wording_key(text))
        rows[key] = TutorQuestion(
            lesson_id=target.pk, question=text, grounded=False, best_score=0.0,
            visitor=flooder, wording_key=key[2], section_anchor="",
            asked_at=base_time + timedelta(seconds=n * 3),
        )  # fmt: skip
    while len(rows) < count:
        lesson = target if rng.random() < 1 / 3 else rng.choice(lessons)
        if rng.random() < 0.5:
            learner = rng.choice(learner_ids)
            visitor = f"user:{learner}"
        else:
            learner, visitor = None, rng.choice(anonymous)
        text = rng.choice(FORMS).format(t=rng.choice(TOPICS))
        if rng.random() < 0.3:
            text = f"{text} {rng.choice(['now', 'again', 'in short', 'simply', 'for me'])}"
        grounded = rng.random() < 0.3
        key = (lesson.pk, visitor, wording_key(text))
        rows[key] = TutorQuestion(
            lesson_id=lesson.pk, learner_id=learner, question=text, grounded=grounded,
            best_score=0.5 if grounded else 0.0, visitor=visitor, wording_key=key[2],
            section_anchor=rng.choice(anchors[lesson.pk]) if grounded else "",
            asked_at=base_time + timedelta(seconds=rng.randrange(80 * 86_400)),
        )  # fmt: skip
    TutorQuestion.objects.bulk_create(list(rows.values()), batch_size=5000)
    return len(rows)


def seed_reports(attempts_wanted: int, learners_wanted: int, tutor_questions: int = 0) -> None:
    rng = random.Random(100_000)
    started = time.perf_counter()
    if connection.vendor == "sqlite":
        # A scratch database: no crash safety needed while seeding (the pages are timed later
        # on a fresh connection with the site's own settings).
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=MEMORY")
            cursor.execute("PRAGMA synchronous=OFF")
    User = get_user_model()
    password = make_password("bench-password-not-secret")  # hashed once, shared by all
    User.objects.bulk_create(
        [
            User(username=f"learner{i:05d}", email=f"learner{i:05d}@example.org", password=password)
            for i in range(learners_wanted)
        ],
        batch_size=1000,
    )
    User.objects.create(
        username="bench-staff", email="staff@example.org", password=password, is_staff=True
    )
    learner_ids = list(User.objects.filter(is_staff=False).values_list("pk", flat=True))
    lessons = list(Lesson.objects.published().select_related("course").order_by("catalog_position"))
    quiz = {}
    for lesson in lessons:
        questions = list(
            lesson.questions.current().prefetch_related("options").order_by("position")
        )
        quiz[lesson.pk] = {
            "questions": [
                (
                    q.pk,
                    q.is_multiple,
                    [o.pk for o in q.options.all() if o.is_correct],
                    [o.pk for o in q.options.all() if not o.is_correct],
                    rng.gauss(-0.3, 1.0),  # difficulty
                )
                for q in questions
            ],
            "snapshot": _snapshot_template(lesson, questions),
        }

    # Who takes what: each learner has an ability and takes some lessons (earlier lessons more
    # often), retaking some; attempts per (learner, lesson) follow a geometric-like spread.
    plan: list[tuple[int, int, int]] = []  # (learner, lesson, attempt number)
    abilities = {pk: rng.gauss(0.0, 1.0) for pk in learner_ids}
    weights = [1.0 / (1 + 0.12 * i) for i in range(len(lessons))]
    while len(plan) < attempts_wanted:
        for learner in learner_ids:
            lesson = rng.choices(lessons, weights)[0]
            tries = 1 + min(int(rng.expovariate(0.7)), 6)
            plan.extend((learner, lesson.pk, k) for k in range(tries))
            if len(plan) >= attempts_wanted:
                break
    plan = plan[:attempts_wanted]
    # A learner may take the same lesson in two separate bursts: number attempts per pair.
    counters: dict[tuple[int, int], int] = {}
    numbered = []
    for learner, lesson_pk, _ in plan:
        k = counters.get((learner, lesson_pk), 0)
        counters[(learner, lesson_pk)] = k + 1
        numbered.append((learner, lesson_pk, k))

    base_time = datetime(2026, 1, 5, tzinfo=UTC)
    through = AttemptAnswer.selected_options.through
    qn = connection.ops.quote_name
    insert_chosen = (
        f"INSERT INTO {qn(through._meta.db_table)} "  # noqa: S608 (table and column names)
        f"({qn('attemptanswer_id')}, {qn('option_id')}) VALUES (%s, %s)"
    )
    batch = 2000
    progress: dict[tuple[int, int], dict] = {}
    total_answers = total_choices = 0
    for start in range(0, len(numbered), batch):
        chunk = numbered[start : start + batch]
        attempts = []
        details = []
        for learner, lesson_pk, k in chunk:
            ability = abilities[learner] + 0.35 * k  # retakes go better
            right = 0
            rows = []
            for q_pk, multiple, correct, wrong, difficulty in quiz[lesson_pk]["questions"]:
                p = _sigmoid(1.7 * (ability - difficulty))
                if rng.random() < p:
                    chosen = list(correct)
                    ok = True
                elif multiple and rng.random() < 0.6:
                    chosen = correct[:1]  # the classic: one right answer of two
                    ok = False
                else:
                    # Wrong answers cluster on the first distractor (a plausible one).
                    chosen = [
                        wrong[0] if rng.random() < 0.6 or len(wrong) == 1 else rng.choice(wrong)
                    ]
                    ok = False
                if rng.random() < 0.01:
                    chosen, ok = [], False  # submitted incomplete
                right += ok
                rows.append((q_pk, ok, chosen))
            day = rng.uniform(0, 80) + 2.0 * k
            submitted = base_time + timedelta(days=day, seconds=rng.randrange(86_400))
            attempts.append(
                Attempt(
                    public_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                    token_nonce=f"{rng.getrandbits(128):032x}",
                    learner_id=learner,
                    lesson_id=lesson_pk,
                    score=right,
                    total=len(rows),
                    snapshot=quiz[lesson_pk]["snapshot"],
                    submitted_at=submitted,
                )
            )
            details.append(rows)
            state = progress.setdefault(
                (learner, lesson_pk), {"first": submitted, "last": submitted, "best": (0, 1)}
            )
            state["first"] = min(state["first"], submitted)
            state["last"] = max(state["last"], submitted)
            if right / len(rows) > state["best"][0] / state["best"][1]:
                state["best"] = (right, len(rows))
        with transaction.atomic():
            Attempt.objects.bulk_create(attempts)
            answers = [
                AttemptAnswer(
                    attempt_id=attempt.pk,
                    question_id=q_pk,
                    is_correct=ok,
                    credit=float(ok),
                    attempt_score=attempt.score,
                    attempt_total=attempt.total,
                    chosen=chosen_ids(chosen),
                )
                for attempt, rows in zip(attempts, details, strict=True)
                for q_pk, ok, chosen in rows
            ]
            AttemptAnswer.objects.bulk_create(answers, batch_size=5000)
            # The chosen options: two integers a row and the most rows of all, so they go in
            # with executemany (bulk_create's per-object cost would double the seeding time).
            flat = [chosen for rows in details for _, _, chosen in rows]
            chosen_rows = [
                (answer.pk, option)
                for answer, chosen in zip(answers, flat, strict=True)
                for option in chosen
            ]
            with connection.cursor() as cursor:
                cursor.executemany(insert_chosen, chosen_rows)
        total_answers += len(answers)
        total_choices += len(chosen_rows)

    sections = dict.fromkeys([lesson.pk for lesson in lessons])
    for lesson in lessons:
        sections[lesson.pk] = list(lesson.sections.values_list("anchor", flat=True))
    LessonProgress.objects.bulk_create(
        [
            LessonProgress(
                learner_id=learner,
                lesson_id=lesson_pk,
                sections_read=sections[lesson_pk],
                started_at=state["first"] - timedelta(minutes=40),
                completed_at=state["last"] if state["best"][0] / state["best"][1] >= 0.6 else None,
                last_visited_at=state["last"],
                best_score=state["best"][0],
                best_total=state["best"][1],
            )
            for (learner, lesson_pk), state in progress.items()
        ],
        batch_size=2000,
    )
    logged = seed_tutor_log(tutor_questions, learner_ids, lessons, rng) if tutor_questions else 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give a live site
    emit(
        {
            "tutor_questions": logged,
            "learners": len(learner_ids),
            "lessons": len(lessons),
            "attempts": Attempt.objects.count(),
            "answers": total_answers,
            "chosen_options": total_choices,
            "progress_rows": len(progress),
            "seconds": time.perf_counter() - started,
        }
    )


# ---------------------------------------------------------------------------------------------
# time-reports
# ---------------------------------------------------------------------------------------------
REPORT_PAGES = [
    ("reports index", "/reports/"),
    ("course report", "/reports/inside-the-black-box/"),
    ("lesson report, basis first", "/reports/inside-the-black-box/superposition/?basis=first"),
    ("lesson report, basis best", "/reports/inside-the-black-box/superposition/?basis=best"),
    ("lesson report, basis last", "/reports/inside-the-black-box/superposition/?basis=last"),
    ("attempts page (HTML, 50 a page)", "/reports/inside-the-black-box/superposition/attempts/"),
    ("attempts CSV", "/reports/inside-the-black-box/superposition/attempts/?format=csv"),
    ("question statistics CSV", "/reports/inside-the-black-box/superposition/?format=csv"),
    ("course report CSV", "/reports/inside-the-black-box/?format=csv"),
    ("tutor gaps CSV", "/reports/inside-the-black-box/superposition/tutor-gaps.csv"),
]


def _get(client: Client, url: str) -> tuple[float, int, int, int]:
    """(seconds, queries, status, bytes), streaming responses read to the end."""
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        elapsed = time.perf_counter() - start
    return elapsed, len(queries.captured_queries), response.status_code, len(body)


def _end_request() -> None:
    """What a server does after each request and the test client does not: close the database
    connection (CONN_MAX_AGE=0; with CONN_MAX_AGE it happens within that many seconds). On
    SQLite closing runs PRAGMA optimize (core/backends/sqlite3), which gives the tables a
    report read their first planner statistics since they grew."""
    connection.close()


def time_reports(runs: int) -> None:
    staff = get_user_model().objects.get(username="bench-staff")
    client = Client()
    client.force_login(staff)
    lesson = Lesson.objects.get(course__slug="inside-the-black-box", slug="superposition")
    results = []

    def baseline() -> int:
        return Attempt.objects.filter(lesson=lesson).count()

    counts = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            n = baseline()
            counts.append(time.perf_counter() - start)
    results.append(
        {
            "name": "baseline: Attempt.objects.filter(lesson=...).count()",
            "times": counts,
            "queries": len(queries.captured_queries),
            "status": 200,
            "bytes": 0,
            "rows": n,
        }
    )
    # The code this work replaced, run on the same data in the same process.
    course = lesson.course
    for name, old in [
        (
            "old code: course report medians (a window query per lesson)",
            legacy_reports.course_medians,
        ),
        ("old code: tutor gaps (5,000 latest, grouped in Python)", legacy_reports.tutor_gaps),
    ]:
        target = course if "course" in name else lesson
        old(target)  # warm
        _end_request()
        times = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                old(target)
                times.append(time.perf_counter() - start)
        results.append(
            {"name": name, "times": times, "queries": len(queries.captured_queries),
             "status": 200, "bytes": 0, "old": True}
        )  # fmt: skip
    for name, url in REPORT_PAGES:
        times, status, size, queries = [], 0, 0, 0
        _get(client, url)  # warm: templates compiled, caches filled
        _end_request()
        for _ in range(runs):
            elapsed, queries, status, size = _get(client, url)
            times.append(elapsed)
        results.append(
            {
                "name": name,
                "url": url,
                "times": times,
                "queries": queries,
                "status": status,
                "bytes": size,
            }
        )
    emit(
        {
            "results": results,
            "attempts_for_lesson": n,
            "tutor_for_lesson": TutorQuestion.objects.filter(lesson=lesson).count(),
            "tutor_total": TutorQuestion.objects.count(),
        }
    )


# ---------------------------------------------------------------------------------------------
# create-learners (for the Locust run)
# ---------------------------------------------------------------------------------------------
def create_learners(count: int, password: str, lessons_json: str) -> None:
    User = get_user_model()
    hashed = make_password(password)
    User.objects.bulk_create(
        [
            User(username=f"locust{i:04d}", email=f"locust{i:04d}@example.org", password=hashed)
            for i in range(count)
        ],
        batch_size=1000,
    )
    lessons = []
    for lesson in Lesson.objects.published().select_related("course").order_by("catalog_position"):
        lessons.append(
            {
                "course": lesson.course.slug,
                "lesson": lesson.slug,
                "anchors": list(lesson.sections.values_list("anchor", flat=True)),
                "key_terms": [term["term"] for term in lesson.key_terms],
                "concepts": list(lesson.concepts),
            }
        )
    Path(lessons_json).write_text(json.dumps(lessons), encoding="utf-8")
    emit({"learners": count, "lessons": len(lessons)})


def main(argv: list[str]) -> None:
    task, *args = argv
    if task == "page-sizes":
        page_sizes()
    elif task == "seed-reports":
        seed_reports(int(args[0]), int(args[1]), int(args[2]) if len(args) > 2 else 0)
    elif task == "time-reports":
        time_reports(int(args[0]))
    elif task == "create-learners":
        create_learners(int(args[0]), args[1], args[2])
    else:
        raise SystemExit(f"unknown task {task!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
