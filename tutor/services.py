"""The Django side of the tutor: turn stored lessons into retrieval indexes, answer, log."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from courses.content.rendering import html_to_text
from courses.models import Lesson, Question, Section

from . import retrieval
from .models import TutorIndex, TutorQuestion
from .question_log import wording_key


def lesson_text(lesson: Lesson, sections: Iterable[Section]) -> retrieval.LessonText:
    """What the tutor may quote: sections, key terms and the big idea; never the quiz."""
    return retrieval.LessonText(
        title=lesson.title,
        summary=lesson.summary,
        sections=tuple(
            retrieval.SectionText(heading=s.heading, anchor=s.anchor, text=s.text) for s in sections
        ),
        key_terms=tuple(
            (term["term"], retrieval.normalize_ws(_strip_tags(term["definition_html"])))
            for term in lesson.key_terms
        ),
        big_idea=lesson.big_idea,
        concepts=tuple(lesson.concepts),
    )


def _strip_tags(html: str) -> str:
    return html_to_text(html).replace("\n", " ")


def index_lesson(lesson: Lesson, sections: Iterable[Section]) -> retrieval.LessonIndex:
    """Builds and stores a lesson's index; the importer calls it for every lesson it writes."""
    index = retrieval.build_index(lesson_text(lesson, sections))
    TutorIndex.objects.update_or_create(
        lesson=lesson, defaults={"data": index.to_dict(), "built_at": timezone.now()}
    )
    return index


def store_fallback_anchors(
    lesson: Lesson, sections: Iterable[Section], index: retrieval.LessonIndex
) -> None:
    """Chooses, once per import, the section a question sends a learner back to when its `See:`
    names no section: the one whose sentences best match the prompt and the right answers."""
    anchors = {section.anchor for section in sections}
    questions = list(lesson.questions.current().prefetch_related("options"))
    for question in questions:
        fallback = ""
        if question.see_anchor not in anchors:
            correct = " ".join(o.text_html for o in question.options.all() if o.is_correct)
            fallback = retrieval.closest_anchor(index, f"{question.prompt_html} {correct}") or ""
        question.fallback_anchor = fallback
    Question.objects.bulk_update(questions, ["fallback_anchor"])


def index_for(lesson: Lesson) -> retrieval.LessonIndex:
    """The stored index, rebuilt from the stored sections if missing or of an older format."""
    stored = TutorIndex.objects.filter(lesson=lesson).values_list("data", flat=True).first()
    if stored is not None:
        try:
            return retrieval.LessonIndex.from_dict(stored)
        except (ValueError, KeyError, TypeError):
            pass
    return index_lesson(lesson, lesson.sections.all())


def ask(*, lesson: Lesson, question: str, learner=None, visitor: str = "") -> retrieval.TutorAnswer:
    """Answers from this lesson only, and logs the question for instructors.

    A ``visitor`` (tutor.question_log.visitor_key) who asks the same wording again is logged
    once: the unique constraint drops the repeat, whoever wins a race.
    """
    answer = retrieval.answer_question(index_for(lesson), question)
    signed_in = learner is not None and learner.is_authenticated
    TutorQuestion.objects.bulk_create(
        [
            TutorQuestion(
                lesson=lesson,
                learner=learner if signed_in else None,
                question=question,
                grounded=answer.grounded,
                best_score=answer.best_score,
                anchors=[citation.anchor for citation in answer.citations],
                section_anchor=answer.citations[0].anchor if answer.citations else "",
                confidence=answer_confidence(answer),
                visitor=visitor,
                wording_key=wording_key(question),
                asked_at=timezone.now(),
            )
        ],
        ignore_conflicts=True,
    )
    return answer


def answer_confidence(answer: retrieval.TutorAnswer) -> float | None:
    """The tutor's confidence in an answer; None for anything that is not an answer (a decline,
    greeting or overview has nothing to be unsure about) or a tutor that reports none."""
    confidence = getattr(answer, "confidence", None)
    if confidence is None or not answer.grounded or getattr(answer, "kind", "answer") != "answer":
        return None
    return float(confidence)


def low_confidence_answers(lesson: Lesson):
    """Questions on this lesson the tutor answered less surely than ``TUTOR_LOW_CONFIDENCE``."""
    return TutorQuestion.objects.filter(
        lesson=lesson, grounded=True, confidence__lt=settings.TUTOR_LOW_CONFIDENCE
    )
