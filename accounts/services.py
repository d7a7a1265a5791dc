"""What an account holds, gathered for its owner."""

from __future__ import annotations

from lessons.services import iso, learner_state
from quizzes.models import Attempt
from tutor.models import TutorQuestion


def export_learner_data(learner) -> dict:
    """Everything stored about one learner: account, progress, quiz attempts, tutor questions."""
    return {
        "account": {
            "username": learner.get_username(),
            "email": learner.email,
            "date_joined": iso(learner.date_joined),
            "last_login": iso(learner.last_login),
        },
        "progress": learner_state(learner),
        "quiz_attempts": [
            {
                "lesson": f"{attempt.lesson.course.slug}/{attempt.lesson.slug}",
                "submitted_at": iso(attempt.submitted_at),
                "score": attempt.score,
                "total": attempt.total,
                "answers": attempt.snapshot,
            }
            for attempt in Attempt.objects.filter(learner=learner).select_related("lesson__course")
        ],
        "tutor_questions": [
            {
                "lesson": f"{question.lesson.course.slug}/{question.lesson.slug}",
                "asked_at": iso(question.asked_at),
                "question": question.question,
                "answered": question.grounded,
            }
            for question in TutorQuestion.objects.filter(learner=learner).select_related(
                "lesson__course"
            )
        ],
    }
