"""What completes a lesson, and how long a section must be on screen to count as read.

Plain functions over plain data (no Django). A course chooses its rule in `course.md`
(docs/authoring.md): reading every section, passing the quiz at a pass mark, either, or both.
The same numbers decide on the server and, rendered into the page, in the browser.
"""

from __future__ import annotations

from dataclasses import dataclass

READ = "read"
QUIZ = "quiz"
READ_OR_QUIZ = "read-or-quiz"
READ_AND_QUIZ = "read-and-quiz"
RULES = (READ_OR_QUIZ, READ, QUIZ, READ_AND_QUIZ)  # the first is the default
DEFAULT_RULE = READ_OR_QUIZ
DEFAULT_PASS_MARK = 70  # percent

# A section counts as read after it has been on screen for the time a reader needs for a fair
# part of it: a quarter of its words at an ordinary 200 words a minute, never less than a
# glance and never more than half a minute however long the section is.
WORDS_PER_MINUTE = 200
FAIR_PART = 0.25
MIN_READ_SECONDS = 3
MAX_READ_SECONDS = 30


def read_seconds(words: int) -> int:
    """Seconds a section of `words` words must be on screen before it counts as read."""
    seconds = round(words * 60 / WORDS_PER_MINUTE * FAIR_PART)
    return max(MIN_READ_SECONDS, min(MAX_READ_SECONDS, seconds))


def required_score(total: int, pass_mark: int) -> int:
    """The fewest right answers out of `total` that reach `pass_mark` percent."""
    return -(-total * pass_mark // 100)  # ceiling division in integers


def passed(score: int, total: int, pass_mark: int) -> bool:
    return total > 0 and score * 100 >= pass_mark * total


@dataclass(frozen=True)
class CompletionRule:
    rule: str = DEFAULT_RULE
    pass_mark: int = DEFAULT_PASS_MARK

    def is_met(
        self, *, all_read: bool, score: int | None, total: int | None, has_quiz: bool
    ) -> bool:
        """Whether a learner with this reading and best quiz score has completed the lesson.

        A lesson without a quiz is completed by reading, whatever the rule says: a rule that
        cannot be met would leave it incomplete forever.
        """
        quiz_passed = score is not None and bool(total) and passed(score, total, self.pass_mark)
        if not has_quiz or self.rule == READ:
            return all_read
        if self.rule == QUIZ:
            return quiz_passed
        if self.rule == READ_AND_QUIZ:
            return all_read and quiz_passed
        return all_read or quiz_passed

    def describe(self, quiz_total: int) -> str:
        """The rule as the lesson page states it, e.g. "Complete by reading every section or
        scoring 11/15 in the quiz."."""
        reading = "reading every section"
        if not quiz_total or self.rule == READ:
            return f"Complete by {reading}."
        scoring = f"scoring {required_score(quiz_total, self.pass_mark)}/{quiz_total} in the quiz"
        if self.rule == QUIZ:
            return f"Complete by {scoring}."
        joiner = "and" if self.rule == READ_AND_QUIZ else "or"
        return f"Complete by {reading} {joiner} {scoring}."
