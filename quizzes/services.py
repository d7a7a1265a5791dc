"""Taking a quiz: the one-time token a form carries, and submitting an attempt.

No row is written when a quiz is shown. The form carries a signed token naming the lesson, the
question versions asked, a nonce, the seed of the option order and the learner. A
submission is graded on the server and inserted under the nonce's unique constraint, so the
same token submitted twice, or fifty times at once, records one attempt and counts its score
once.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from courses.models import Lesson, Question

from .grading import QuestionKey, grade, shuffled
from .models import Attempt, AttemptAnswer, chosen_ids
from .signals import attempt_recorded

TOKEN_SALT = "glassbox.quizzes.token"  # noqa: S105 (a signing salt, not a secret)
RECEIPT_SALT = "glassbox.quizzes.receipt"
TOKEN_MAX_AGE = 7 * 24 * 3600


class QuizError(Exception):
    """A submission that cannot be graded; the message is shown to the learner."""

    status = 400


class AttemptNotFound(QuizError):
    status = 404


@dataclass(frozen=True)
class QuizToken:
    lesson_id: int
    question_ids: tuple[int, ...]
    nonce: str
    learner_id: int | None
    seed: str  # orders the options; a cached page variant shares one, the nonce never repeats


@dataclass(frozen=True)
class PresentedOption:
    """One option as the form shows it: its text and an opaque value standing for its id."""

    value: str
    text_html: str
    checked: bool


@dataclass
class PresentedQuestion:
    question: Question
    options: list[PresentedOption]
    unanswered: bool = False


@dataclass
class PresentedQuiz:
    token: str
    questions: list[PresentedQuestion] = field(default_factory=list)

    @property
    def unanswered_numbers(self) -> list[int]:
        return [n for n, q in enumerate(self.questions, start=1) if q.unanswered]

    @property
    def unanswered_message(self) -> str:
        """What the learner is told before grading (static/js/quiz.js words it the same)."""
        return unanswered_message(self.unanswered_numbers, len(self.questions))


def unanswered_message(numbers: list[int], total: int) -> str:
    """Names the unanswered questions; when none is answered, says so rather than listing all."""
    ending = "or submit anyway: an unanswered question counts as wrong."
    if len(numbers) == 1:
        return f"Question {numbers[0]} is unanswered. Answer it, {ending}"
    if len(numbers) == total:
        return f"None of the {total} questions is answered yet. Answer them, {ending}"
    listed = ", ".join(str(n) for n in numbers)
    return f"Questions {listed} are unanswered. Answer them, {ending}"


def _learner_id(learner) -> int | None:
    return learner.pk if learner is not None and learner.is_authenticated else None


def issue_token(
    *, lesson_id: int, question_ids: Sequence[int], learner, seed: str | None = None
) -> str:
    nonce = secrets.token_hex(16)
    payload = {
        "l": lesson_id,
        "q": list(question_ids),
        "n": nonce,
        "u": _learner_id(learner),
        "s": seed or nonce,
    }
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def read_token(raw: str) -> QuizToken:
    if not raw:
        raise QuizError("This quiz form has no attempt token. Reload the lesson and try again.")
    try:
        data = signing.loads(raw, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise QuizError("This quiz form has expired. Reload the lesson to start again.") from None
    except signing.BadSignature:
        raise QuizError("This quiz form's attempt token is not valid.") from None
    return QuizToken(data["l"], tuple(data["q"]), data["n"], data["u"], data.get("s", data["n"]))


def option_value(seed: str, option_id: int) -> str:
    """What the form sends for an option: unguessable, and unrelated to the order options were
    written in (ids are given in authoring order, and authors favour some positions for the
    right answer). Derived from the attempt's seed, so the server maps it back without storing
    anything, and a cached page variant shares its values while its tokens stay one-time."""
    return salted_hmac("glassbox.quizzes.option", f"{seed}:{option_id}").hexdigest()[:16]


def present_quiz(
    *,
    questions: Sequence[Question],
    token: str,
    seed: str,
    selected: Mapping[int, frozenset[int]] | None = None,
    unanswered: frozenset[int] = frozenset(),
) -> PresentedQuiz:
    """Orders each question's options for this attempt; marks answers already chosen."""
    quiz = PresentedQuiz(token=token)
    for question in questions:
        options = {option.pk: option for option in question.options.all()}
        order = shuffled(sorted(options), seed=seed, question_id=question.pk)
        chosen = (selected or {}).get(question.pk, frozenset())
        quiz.questions.append(
            PresentedQuestion(
                question=question,
                options=[
                    PresentedOption(option_value(seed, pk), options[pk].text_html, pk in chosen)
                    for pk in order
                ],
                unanswered=question.pk in unanswered,
            )
        )
    return quiz


def questions_for(token: QuizToken, lesson: Lesson) -> list[Question]:
    if token.lesson_id != lesson.pk:
        raise QuizError("These answers belong to another lesson's quiz.")
    questions = {
        question.pk: question
        for question in Question.objects.filter(
            pk__in=token.question_ids, lesson=lesson
        ).prefetch_related("options")
    }
    if len(questions) != len(token.question_ids):
        raise QuizError("This quiz has changed since the form was shown. Reload the lesson.")
    return [questions[pk] for pk in token.question_ids]


def parse_answers(
    fields: Mapping[str, Sequence[str]], questions: Sequence[Question], *, seed: str
) -> dict[int, frozenset[int]]:
    """Reads `q<question id>` form fields holding option values (see option_value) and maps
    them back to option ids; rejects anything that is not an option of this quiz."""
    by_field = {f"q{question.pk}": question for question in questions}
    answers: dict[int, frozenset[int]] = {}
    for name, values in fields.items():
        if not name.startswith("q"):
            continue
        question = by_field.get(name)
        if question is None:
            raise QuizError(f"'{name}' is not a question of this quiz.")
        by_value = {option_value(seed, option.pk): option.pk for option in question.options.all()}
        chosen: set[int] = set()
        for value in values:
            if value not in by_value:
                raise QuizError(
                    f"'{value}' is not an option of question {question.position}."[:200]
                )
            chosen.add(by_value[value])
        if len(chosen) > 1 and not question.is_multiple:
            raise QuizError(f"Question {question.position} takes only one answer.")
        if chosen:
            answers[question.pk] = frozenset(chosen)
    return answers


def _snapshot(
    lesson: Lesson,
    questions: Sequence[Question],
    answers: Mapping[int, frozenset[int]],
    credit: Mapping[int, float],
    seed: str,
) -> list[dict]:
    headings = dict(lesson.sections.values_list("anchor", "heading"))
    snapshot = []
    for number, question in enumerate(questions, start=1):
        options = {option.pk: option for option in question.options.all()}
        order = shuffled(sorted(options), seed=seed, question_id=question.pk)
        chosen = answers.get(question.pk, frozenset())
        anchor = question.reread_anchor(headings)
        snapshot.append(
            {
                "question": question.pk,
                "number": number,
                "prompt_html": question.prompt_html,
                "is_multiple": question.is_multiple,
                "options": [
                    {
                        "id": pk,
                        "text_html": options[pk].text_html,
                        "is_correct": options[pk].is_correct,
                        "feedback_html": options[pk].feedback_html,
                        "chosen": pk in chosen,
                    }
                    for pk in order
                ],
                "answered": bool(chosen),
                "correct": credit[question.pk] == 1,
                "credit": credit[question.pk],
                "explanation_html": question.explanation_html,
                "reread_anchor": anchor,
                "reread_heading": headings.get(anchor, ""),
            }
        )
    return snapshot


def submit_attempt(
    *,
    learner,
    lesson: Lesson,
    token: QuizToken,
    questions: Sequence[Question],
    answers: Mapping[int, frozenset[int]],
    after_answers_seen: bool = False,
) -> tuple[Attempt, bool]:
    """Grades and records one attempt; returns (attempt, created).

    A token already used returns the attempt it recorded (created=False) and changes nothing.
    """
    learner_id = _learner_id(learner)
    if token.learner_id is not None and token.learner_id != learner_id:
        raise AttemptNotFound("This quiz attempt belongs to someone else.")
    keys = [
        QuestionKey(
            question_id=question.pk,
            option_ids=tuple(o.pk for o in question.options.all()),
            correct_ids=frozenset(o.pk for o in question.options.all() if o.is_correct),
        )
        for question in questions
    ]
    result = grade(keys, answers, lesson.course.multiple_select_scoring)
    now = timezone.now()
    snapshot = _snapshot(lesson, questions, answers, result.credit, token.seed)
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                public_id=uuid.uuid4(),
                token_nonce=token.nonce,
                learner_id=learner_id,
                lesson=lesson,
                score=result.score,
                total=result.total,
                snapshot=snapshot,
                submitted_at=now,
                after_answers_seen=after_answers_seen
                or (
                    learner_id is not None
                    and Attempt.objects.filter(learner_id=learner_id, lesson=lesson).exists()
                ),
            )
            rows = AttemptAnswer.objects.bulk_create(
                AttemptAnswer(
                    attempt=attempt,
                    question=q,
                    is_correct=result.credit[q.pk] == 1,
                    credit=result.credit[q.pk],
                    attempt_score=result.score,
                    attempt_total=result.total,
                    chosen=chosen_ids(answers.get(q.pk, ())),
                )
                for q in questions
            )
            AttemptAnswer.selected_options.through.objects.bulk_create(
                AttemptAnswer.selected_options.through(attemptanswer_id=row.pk, option_id=option)
                for row, question in zip(rows, questions, strict=True)
                for option in sorted(answers.get(question.pk, ()))
            )
            # Inside the transaction: a listener's failure (learning progress) undoes the attempt.
            attempt_recorded.send(sender=Attempt, attempt=attempt, learner=learner)
    except IntegrityError:
        existing = Attempt.objects.filter(token_nonce=token.nonce).first()
        if existing is None:  # pragma: no cover - an integrity error of another kind
            raise
        if existing.learner_id != learner_id:
            raise AttemptNotFound("This quiz attempt belongs to someone else.") from None
        return existing, False
    return attempt, True


SESSION_ANSWERS_SEEN = "quiz_answers_seen"


def answers_seen(session, lesson: Lesson) -> bool:
    """Whether this browser has been shown this lesson's quiz answers (a result or a review)."""
    return lesson.pk in session.get(SESSION_ANSWERS_SEEN, [])


def remember_answers_seen(session, lesson: Lesson) -> None:
    """Kept in the session, so it survives signing up or in (Django keeps the session's data)."""
    seen = session.get(SESSION_ANSWERS_SEEN, [])
    if lesson.pk not in seen:
        session[SESSION_ANSWERS_SEEN] = [*seen, lesson.pk][-500:]


def receipt_for(attempt: Attempt) -> str:
    """A signed statement of a graded attempt, which the browser keeps for progress sync."""
    return signing.dumps(
        {
            "a": str(attempt.public_id),
            "l": attempt.lesson_id,
            "s": attempt.score,
            "t": attempt.total,
            "at": attempt.submitted_at.isoformat(),
        },
        salt=RECEIPT_SALT,
    )


def read_receipt(raw: str) -> dict:
    """The attempt a receipt vouches for; raises signing.BadSignature when forged or altered."""
    return signing.loads(raw, salt=RECEIPT_SALT)
