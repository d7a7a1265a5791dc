"""What the quizzes app tells the apps above it, which it never imports."""

from django.dispatch import Signal

# Sent inside the submit transaction for every newly recorded attempt, with `attempt` and
# `learner` (possibly anonymous); a receiver that raises undoes the attempt.
attempt_recorded = Signal()
