"""Learning follows the quizzes: a recorded attempt updates the learner's lesson progress."""

from django.dispatch import receiver

from quizzes.signals import attempt_recorded

from .services import record_attempt


@receiver(attempt_recorded, dispatch_uid="lessons.record_attempt_score")
def record_attempt_score(sender, *, attempt, learner, **kwargs) -> None:
    if attempt.learner_id is not None:
        record_attempt(learner=learner, attempt=attempt)
