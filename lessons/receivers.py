"""Learning follows the quizzes: a recorded attempt updates the learner's lesson progress."""

from django.dispatch import receiver

from quizzes.signals import attempt_recorded

from .services import record_quiz_score


@receiver(attempt_recorded, dispatch_uid="lessons.record_attempt_score")
def record_attempt_score(sender, *, attempt, learner, **kwargs) -> None:
    if attempt.learner_id is not None:
        record_quiz_score(
            learner=learner,
            lesson=attempt.lesson,
            score=attempt.score,
            total=attempt.total,
            at=attempt.submitted_at,
        )
