"""Every figure of the instructor reports against an independent recomputation.

The dataset goes in through the real endpoints only: learners load the lesson and post the
quiz form, an anonymous visitor's attempt is claimed through /progress/sync/ after signing up
at /accounts/signup/, the tutor is asked over HTTP, and the quiz grows a question through a
re-import between attempts. The expected figures are computed here from the answers the test
chose and the answer key it wrote, with Python's own `statistics` and `fractions`, never by
calling the report code. Then every number on the index, course and lesson pages (all three
bases) and in every CSV is checked against them.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import statistics as stats
from dataclasses import dataclass, field
from fractions import Fraction
from html.parser import HTMLParser

import pytest
from django.test import Client

from courses.importer import import_content
from courses.models import Lesson, Question
from lessons.models import LessonProgress
from quizzes.models import Attempt
from tests.factories import make_user, write_course, write_file
from tutor.models import TutorQuestion

pytestmark = pytest.mark.django_db

COURSE = "measures"
LESSON_URL = f"/courses/{COURSE}/item-analysis/"
REPORT_URL = f"/reports/{COURSE}/item-analysis/"

# The answer key, as written in the lesson file below: question -> (options, right options).
KEY = {
    1: (["lam-a", "lam-b", "lam-c"], {"lam-b"}),
    2: (["year-a", "year-b", "year-c"], {"year-a"}),
    3: (
        ["multi-r1", "multi-r2", "multi-r3", "multi-w1", "multi-w2"],
        {"multi-r1", "multi-r2", "multi-r3"},
    ),
    4: (["trap-a", "trap-b"], {"trap-a"}),
    5: (["plain-a", "plain-b", "plain-c", "plain-d"], {"plain-d"}),
    6: (["late-a", "late-b"], {"late-b"}),
}
PROMPTS = {
    1: "What does the Greek letter λ stand for in this lesson?",
    2: "Which year is `1900`?",
    3: "Which of these are right?",
    4: "Which option do strong learners fall for?",
    5: "Pick the plain answer.",
    6: "A question added later.",
}
PLAIN_PROMPTS = {**PROMPTS, 2: "Which year is 1900?"}
SEE = {1: "first-part", 2: "first-part", 3: "second-part", 4: "second-part", 5: "", 6: ""}


def quiz_markdown(questions: list[int]) -> str:
    lines = ["## Quiz"]
    for number, q in enumerate(questions, start=1):
        lines.append(f"{number}. {PROMPTS[q]}")
        options, right = KEY[q]
        lines += [f"   - [{'x' if o in right else ' '}] {o}" for o in options]
        lines.append(f"   > Explanation {q}.")
        if SEE[q]:
            lines.append(f"   > See: #{SEE[q]}")
    return "\n".join(lines) + "\n"


def write_lessons(root, questions: list[int]) -> None:
    write_course(root, COURSE, title="Measures", extra="multiple_select_scoring: partial\n")
    front = (
        "---\ntitle: Item analysis\nsummary: How questions are judged.\nminutes: 10\n"
        "concepts: [facility]\nbig_idea: Questions can be measured.\n---\n"
    )
    body = (
        "## First part\nFacility is the share of learners who get a question right.\n\n"
        "## Second part\nDiscrimination is a correlation between one question and the rest.\n\n"
    )
    write_file(root / COURSE / "01-item-analysis.md", front + body + quiz_markdown(questions))
    second = (
        "---\ntitle: Second lesson\nsummary: A short one.\nminutes: 5\n"
        "concepts: [median]\nbig_idea: Medians resist outliers.\n---\n"
        "## Only part\nThe median is the middle value.\n\n"
        "## Quiz\n1. Pick one.\n   - [x] s-a\n   - [ ] s-b\n"
        "2. Pick another.\n   - [ ] s-c\n   - [x] s-d\n"
    )
    write_file(root / COURSE / "02-second-lesson.md", second)


# ---------------------------------------------------------------------------------------------
# The independent model of what happened
# ---------------------------------------------------------------------------------------------
def credit(q: int, chosen: set[str]) -> Fraction:
    """Moodle's partial credit for multiple-select questions (this course's setting)."""
    options, right = KEY[q]
    if len(right) == 1:
        return Fraction(1) if chosen == right else Fraction(0)
    wrong = set(options) - right
    value = Fraction(len(chosen & right), len(right)) - Fraction(len(chosen - right), len(wrong))
    return min(max(value, Fraction(0)), Fraction(1))


@dataclass
class Taken:
    who: str | None  # username, or None while anonymous and never claimed
    order: int
    answers: dict[int, set[str]]  # question -> options chosen (absent: unanswered)
    questions: list[int]
    credits: dict[int, Fraction] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.credits = {q: credit(q, self.answers.get(q, set())) for q in self.questions}

    @property
    def score(self) -> Fraction:
        return sum(self.credits.values(), Fraction(0))

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def fraction(self) -> Fraction:
        return self.score / self.total


def counted(attempts: list[Taken], basis: str) -> list[Taken]:
    by_learner: dict[str, list[Taken]] = {}
    chosen = [a for a in attempts if a.who is None]
    for a in attempts:
        if a.who is not None:
            by_learner.setdefault(a.who, []).append(a)
    for own in by_learner.values():
        own.sort(key=lambda a: a.order)
        if basis == "first":
            chosen.append(own[0])
        elif basis == "last":
            chosen.append(own[-1])
        else:  # the highest percentage; the earliest on a tie
            chosen.append(max(own, key=lambda a: (a.fraction, -a.order)))
    return chosen


def question_figures(attempts: list[Taken], q: int) -> dict:
    rows = [a for a in attempts if q in a.questions]
    xs = [float(a.credits[q]) for a in rows]
    ys = [float(a.score - a.credits[q]) for a in rows]
    n = len(rows)
    figures = {"n": n, "facility": stats.fmean(xs) if n else None}
    varies = n > 1 and len(set(xs)) > 1 and len(set(ys)) > 1
    figures["discrimination"] = stats.correlation(xs, ys) if varies else None
    cov_max = stats.covariance(sorted(xs), sorted(ys)) if varies else 0
    figures["efficiency"] = stats.covariance(xs, ys) / cov_max if cov_max > 1e-12 else None
    figures["chosen"] = {o: sum(o in a.answers.get(q, set()) for a in rows) for o in KEY[q][0]}
    # Flags: the top 27% of counted attempts (ties at the cut included).
    flags = []
    if n:
        fac, disc = figures["facility"], figures["discrimination"]
        if fac > 0.9:
            flags.append("too easy")
        if fac < 0.25:
            flags.append("too hard")
        if disc is not None and disc < 0.2:
            flags.append("weak discrimination")
        ranked = sorted((a.fraction for a in attempts), reverse=True)
        cut = ranked[max(1, round(len(attempts) * 0.27)) - 1]
        upper = [a for a in rows if a.fraction >= cut]
        picks = {o: sum(o in a.answers.get(q, set()) for a in upper) for o in KEY[q][0]}
        right = KEY[q][1]
        if max(picks[o] for o in picks if o not in right) > min(picks[o] for o in right):
            flags.append("a wrong option draws more strong learners than the right one")
    figures["flags"] = flags
    return figures


# ---------------------------------------------------------------------------------------------
# Driving the site
# ---------------------------------------------------------------------------------------------
def take_quiz(client: Client, answers: dict[int, set[str]], url: str = LESSON_URL) -> dict:
    html = client.get(url).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html)[1]
    inputs = {
        ident: (name, value)
        for ident, name, value in re.findall(
            r'<input type="(?:radio|checkbox)" id="([^"]+)" name="([^"]+)" value="([^"]+)"', html
        )
    }
    by_text = {
        re.sub(r"<[^>]+>", "", text).strip(): inputs[ident]
        for ident, text in re.findall(r'<label for="([^"]+)">(.*?)</label>', html)
        if ident in inputs
    }
    data: dict[str, list[str]] = {"token": [token], "submit_incomplete": ["1"]}
    for chosen in answers.values():
        for option in chosen:
            name, value = by_text[option]
            data.setdefault(name, []).append(value)
    response = client.post(f"{url}quiz/", data, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content[:300]
    return response.json()


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(make_user(username))
    return client


RIGHT = {q: set(KEY[q][1]) for q in KEY}


def pattern(*wrong: int, partial: set[str] | None = None, skip: tuple[int, ...] = ()) -> dict:
    """Answers right on every question except those in ``wrong`` (first wrong option)."""
    answers = {}
    for q in KEY:
        if q in skip:
            continue
        if q in wrong:
            answers[q] = {next(o for o in KEY[q][0] if o not in KEY[q][1])}
        else:
            answers[q] = set(RIGHT[q])
    if partial is not None:
        answers[3] = partial
    return answers


@pytest.fixture
def dataset(content_root):
    write_lessons(content_root, [1, 2, 3, 4, 5])
    import_content(content_root)
    taken: list[Taken] = []
    order = iter(range(1000))

    def attempt(client, who, answers, questions, url=LESSON_URL):
        if questions:  # the quiz as it stands: no answer to a question not yet written
            answers = {q: chosen for q, chosen in answers.items() if q in questions}
        body = take_quiz(client, answers, url)
        if url == LESSON_URL:
            taken.append(Taken(who, next(order), answers, questions))
        return body

    five, six = [1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6]
    # An anonymous attempt, claimed later through sign-up and sync.
    newcomer = Client()
    receipt = attempt(newcomer, None, pattern(1, partial={"multi-r1", "multi-r2"}), five)
    claimed = taken[-1]
    # Strong learners fall for trap-b on question 4; weak ones get it right: negative
    # discrimination. Several partial multi-select answers, unanswered questions.
    learners = {f"l{n}": signed_in(f"l{n}") for n in range(10)}
    patterns = [
        pattern(4),  # strong
        pattern(4, partial={"multi-r1", "multi-r2", "multi-w1"}),
        pattern(4, 5),
        pattern(2, 4),
        pattern(1, 2, partial={"multi-r1"}),
        pattern(5),  # 4/5 = 80%, then 4.5/6 = 75% below
        pattern(1, 2, 5, partial={"multi-w1", "multi-w2", "multi-r1"}),
        pattern(1, 2, 3, 5),
        pattern(1, 2, 3, 5, skip=(4,)),
        pattern(1, 2, 3, 4, 5, partial=set()),
    ]
    for (name, client), answers in zip(learners.items(), patterns, strict=True):
        attempt(client, name, answers, five)
    anonymous = Client()
    attempt(anonymous, None, pattern(3, 4, partial={"multi-r3"}), five)

    # The quiz grows a question; the five others keep their versions.
    before = set(Lesson.objects.get(slug="item-analysis").questions.values_list("pk", flat=True))
    write_lessons(content_root, six)
    import_content(content_root)
    lesson = Lesson.objects.get(slug="item-analysis")
    now = set(lesson.questions.current().values_list("pk", flat=True))
    assert before < now and len(now) == 6

    # Retakes. l5 had 4/5 = 80% and now scores more marks but a lower percentage (4.5/6 =
    # 75%); l3 retakes twice with the same score (a tie for "best").
    attempt(learners["l0"], "l0", pattern(4), six)
    attempt(learners["l3"], "l3", pattern(4, 6), six)
    attempt(learners["l3"], "l3", pattern(4, 6), six)
    attempt(learners["l5"], "l5", pattern(6, partial=set(KEY[3][0][:4])), six)
    attempt(learners["l9"], "l9", pattern(4, partial={"multi-r2", "multi-r3"}), six)
    for name, answers in [("l10", pattern(6)), ("l11", pattern(2, 3, 4, 6))]:
        learners[name] = signed_in(name)
        attempt(learners[name], name, answers, six)

    # The newcomer signs up and their browser syncs the receipt and the sections it read.
    response = newcomer.post(
        "/accounts/signup/",
        {
            "username": "newcomer",
            "email": "newcomer@example.com",
            "password1": "a long enough passphrase 42",
            "password2": "a long enough passphrase 42",
        },
    )
    assert response.status_code == 302, response.content[:500]
    sync = newcomer.post(
        "/progress/sync/",
        json.dumps(
            {
                "attempts": [receipt["receipt"]],
                "lessons": {
                    f"{COURSE}/item-analysis": {"sections_read": ["first-part", "second-part"]}
                },
            }
        ),
        content_type="application/json",
    )
    assert sync.status_code == 200, sync.content
    claimed.who = "newcomer"
    attempt(newcomer, "newcomer", pattern(4), six)  # a retake, signed in

    # The second lesson: few attempts, an even count for its median.
    for name, answers in [("l0", {1: {"s-a"}, 2: {"s-d"}}), ("l1", {1: {"s-b"}, 2: {"s-d"}})]:
        attempt(learners[name], name, answers, [], url=f"/courses/{COURSE}/second-lesson/")
    attempt(Client(), None, {1: {"s-b"}, 2: {"s-c"}}, [], url=f"/courses/{COURSE}/second-lesson/")

    # The tutor: an off-topic question repeated by one visitor counts once.
    asked = []
    for client, address, question in [
        (Client(REMOTE_ADDR="198.51.100.1"), "a", "Who won the 2018 World Cup?"),
        (Client(REMOTE_ADDR="198.51.100.1"), "a", "who won the 2018  world cup?"),
        (Client(REMOTE_ADDR="198.51.100.1"), "a", "Who won the 2018 World Cup?"),
        (Client(REMOTE_ADDR="198.51.100.2"), "b", "Who won the 2018 World Cup?"),
        (Client(REMOTE_ADDR="198.51.100.2"), "b", "What is the capital of Mongolia?"),
        (learners["l0"], "l0", "What is the capital of Mongolia?"),
        (learners["l0"], "l0", "What is facility?"),
    ]:
        body = client.post(
            f"{LESSON_URL}tutor/", json.dumps({"question": question}),
            content_type="application/json",
        ).json()  # fmt: skip
        asked.append((address, " ".join(question.casefold().split()), body["grounded"]))
    assert [grounded for *_, grounded in asked] == [False] * 6 + [True]
    return {"taken": taken, "asked": asked, "lesson": lesson}


# ---------------------------------------------------------------------------------------------
# Reading the pages
# ---------------------------------------------------------------------------------------------
class Tables(HTMLParser):
    """Every <table> of a page as rows of cell texts."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def csv_rows(client: Client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def near(shown: str, expected: float | None, *, scale: float = 1, places: int = 0) -> None:
    """A shown figure equals the expected one at the shown precision ('–' or '' for none)."""
    if expected is None:
        assert shown in ("–", ""), shown
        return
    value = float(shown.rstrip("%"))
    assert abs(value - expected * scale) <= 0.5 * 10**-places + 1e-9, (shown, expected * scale)


def pct(shown: str, expected: float | None) -> None:
    near(shown, expected, scale=100)


# ---------------------------------------------------------------------------------------------
# The checks
# ---------------------------------------------------------------------------------------------
@pytest.fixture
def instructor(client):
    staff = make_user("teacher")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    return staff


@pytest.mark.parametrize("basis", ["first", "best", "last"])
def test_every_lesson_figure_matches_a_recomputation(client, instructor, dataset, basis):
    taken, lesson = dataset["taken"], dataset["lesson"]
    assert Attempt.objects.filter(lesson=lesson).count() == len(taken)
    chosen = counted(taken, basis)
    html = page(client, f"{REPORT_URL}?basis={basis}")
    tables = Tables(html).tables

    # The basis, and why.
    label = {"first": "first attempt", "best": "best attempt", "last": "latest attempt"}[basis]
    note = re.search(r'<p class="meta" id="basis-note">(.*?)</p>', html, re.S)[1]
    assert f"each learner&#x27;s {label}" in note
    assert ("this course's default (" in note) == (basis == "first")
    learners = len({a.who for a in chosen if a.who}) + sum(a.who is None for a in chosen)
    assert f"{len(chosen)} of {len(taken)} attempts count, from {learners} learners" in note

    # Scores.
    fractions = [a.fraction for a in chosen]
    shown = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))
    pct(shown["Average"], float(stats.fmean(fractions)))
    pct(shown["Median"], float(stats.median(fractions)))
    pct(shown["First attempts (average)"], stats.fmean(a.fraction for a in counted(taken, "first")))
    pct(shown["Best attempts (average)"], stats.fmean(a.fraction for a in counted(taken, "best")))
    bands = [min(math.floor(f * 10), 9) for f in fractions]
    histogram = tables[0]
    assert [int(row[1]) for row in histogram[1:]] == [bands.count(b) for b in range(10)]
    drawn = [int(n) for n in re.findall(r'class="histogram__count">(\d+)<', html)]
    assert drawn == [bands.count(b) for b in range(10) if bands.count(b)]

    # Questions: the current six, each against the recomputation.
    question_rows = tables[1][1:]
    assert len(question_rows) == 6
    expected = {q: question_figures(chosen, q) for q in KEY}
    for row, q in zip(question_rows, KEY, strict=True):
        number, text, n, facility, discrimination, efficiency, flags = row
        fig = expected[q]
        assert number == f"Question {q}" and int(n) == fig["n"]
        pct(facility, fig["facility"])
        near(discrimination, fig["discrimination"], places=2)
        pct(efficiency, fig["efficiency"])
        for option, times in fig["chosen"].items():
            assert re.search(rf"{re.escape(option)} — {times}(?!\d)", text), (option, text)
        assert (flags if flags != "–" else "") == " ".join(fig["flags"])
    assert expected[4]["discrimination"] < 0  # the dataset has a negative discrimination
    assert 0 < expected[3]["facility"] < 1

    # Sections: marks missed on the questions pointing at each, and tutor questions.
    sections = {row[0]: row for row in tables[2][1:]}
    # A question without "See:" points where the tutor placed it at import (its fallback).
    fallback = dict(
        Question.objects.filter(lesson=lesson, is_current=True).values_list(
            "position", "fallback_anchor"
        )
    )
    pointed = {q: SEE[q] or fallback[q] for q in KEY}
    for heading, anchor in [("First part", "first-part"), ("Second part", "second-part")]:
        linked = [q for q in KEY if pointed[q] == anchor]
        answered = sum(expected[q]["n"] for q in linked)
        missed = sum(expected[q]["n"] * (1 - expected[q]["facility"]) for q in linked)
        assert sections[heading][1] == ", ".join(str(q) for q in linked)
        pct(sections[heading][2], missed / answered)
        cited = TutorQuestion.objects.filter(lesson=lesson, section_anchor=anchor).count()
        assert int(sections[heading][3]) == cited

    # The tutor gaps: declined questions, each visitor's repeats once.
    declined = {(who, text) for who, text, grounded in dataset["asked"] if not grounded}
    assert f"{len(declined)} questions the tutor declined" in html
    gaps = {row[0]: int(row[1]) for row in tables[3][1:]}
    by_text = {}
    for _, text in declined:
        by_text[text] = by_text.get(text, 0) + 1
    assert sorted(gaps.values()) == sorted(by_text.values())

    # The question CSV for the same basis: numbers as numbers, prompts as plain text.
    rows = csv_rows(client, f"{REPORT_URL}?basis={basis}&format=csv")
    assert rows[0][:6] == [
        "question",
        "prompt",
        "attempts counted",
        "facility (%)",
        "discrimination index",
        "discriminative efficiency (%)",
    ]
    body = rows[1:]
    assert len(body) == sum(len(KEY[q][0]) for q in KEY)
    for line in body:
        q = int(line[0])
        fig = expected[q]
        assert line[1] == PLAIN_PROMPTS[q] and int(line[2]) == fig["n"]
        near(line[3], fig["facility"], scale=100, places=1)
        near(line[4], fig["discrimination"], places=2)
        near(line[5], fig["efficiency"], scale=100, places=1)
        assert line[6] == "; ".join(fig["flags"])
        assert line[8] == ("yes" if line[7] in KEY[q][1] else "no")
        assert int(line[9]) == fig["chosen"][line[7]]
    negative = [line for line in body if line[4].startswith("-")]
    assert negative and all(float(line[4]) < 0 for line in negative)  # not "'-0.40"


def test_course_index_and_attempt_figures_match(client, instructor, dataset):
    taken, lesson = dataset["taken"], dataset["lesson"]
    second = Lesson.objects.get(slug="second-lesson")
    second_fractions = {
        a.pk: Fraction(a.score) / a.total for a in Attempt.objects.filter(lesson=second)
    }
    # Second lesson, first attempts: l0 2/2, l1 1/2, the anonymous 0/2.
    assert sorted(second_fractions.values()) == [0, Fraction(1, 2), 1]
    progress = LessonProgress.objects.filter(lesson__course__slug=COURSE)

    html = page(client, f"/reports/{COURSE}/")
    rows = {row[0]: row for row in Tables(html).tables[0][1:]}
    csv_by_lesson = {
        line[0]: line for line in csv_rows(client, f"/reports/{COURSE}/?format=csv")[1:]
    }
    for obj, fractions in [
        (lesson, [a.fraction for a in counted(taken, "first")]),
        (second, sorted(second_fractions.values())),
    ]:
        started = progress.filter(lesson=obj, started_at__isnull=False).count()
        completed = progress.filter(lesson=obj, completed_at__isnull=False).count()
        shown, line = rows[obj.title], csv_by_lesson[obj.title]
        assert [int(shown[1]), int(shown[2]), int(line[1]), int(line[2])] == [
            started,
            completed,
        ] * 2
        pct(shown[3], completed / started if started else None)
        near(line[3], completed / started if started else None, scale=100, places=1)
        assert int(shown[4]) == int(line[4]) == len(fractions)
        pct(shown[5], float(stats.fmean(fractions)))
        pct(shown[6], float(stats.median(fractions)))
        near(line[5], float(stats.fmean(fractions)), scale=100, places=1)
        near(line[6], float(stats.median(fractions)), scale=100, places=1)
    everyone = set(progress.values_list("learner", flat=True))
    done_all = [
        learner
        for learner in everyone
        if progress.filter(learner=learner, completed_at__isnull=False).count() == 2
    ]
    assert f"{len(everyone)} learners started; {len(done_all)} completed every lesson" in html

    index = Tables(page(client, "/reports/")).tables[0]
    finished_one = {p.learner_id for p in progress if p.completed_at is not None}
    assert index[1] == ["Measures", str(len(everyone)), str(len(finished_one))]

    # Every attempt, with its score as the sum of credits.
    attempts_csv = csv_rows(client, f"{REPORT_URL}attempts/?format=csv")[1:]
    assert len(attempts_csv) == len(taken)
    for line, a in zip(attempts_csv, reversed(taken), strict=True):  # newest first
        assert line[0] == (a.who or "(anonymous)")
        near(line[2], float(a.score), places=2)
        assert int(line[3]) == a.total
        near(line[4], float(a.fraction), scale=100, places=1)

    # The learner's own progress agrees with "best": 4/5 (80%) before 4.5/6 (75%).
    l5 = [a for a in taken if a.who == "l5"]
    best = max(l5, key=lambda a: (a.fraction, -a.order))
    assert best is l5[0] and l5[1].score > l5[0].score and l5[1].fraction < l5[0].fraction
    record = progress.get(learner__username="l5", lesson=lesson)
    assert (Fraction(record.best_score).limit_denominator(100), record.best_total) == (
        best.score,
        best.total,
    )


def test_the_review_shows_partial_credit(client, dataset):
    attempt = Attempt.objects.filter(learner__username="newcomer").order_by("submitted_at")[0]
    item = next(item for item in attempt.snapshot if item["prompt_html"].startswith("Which of"))
    assert item["credit"] == pytest.approx(2 / 3) and item["correct"] is False
    newcomer = Client()
    newcomer.force_login(attempt.learner)
    html = page(newcomer, attempt.get_absolute_url())
    assert "Partly right: 0.67 of 1" in html
    assert f"{float(Fraction(attempt.score)):.2f}".rstrip("0") in html
