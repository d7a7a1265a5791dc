"""Ask the tutor from the shell: `manage.py ask <course>/<lesson> "question" [--json]`.

For instructors checking what their lesson answers, and for scripts. Questions asked here are
not logged as learner questions.
"""

import json

from django.core.management.base import CommandError

from core.commands import FriendlyCommand
from courses.models import Lesson
from tutor import retrieval
from tutor.services import index_for


class Command(FriendlyCommand):
    help = "Answer a question from one lesson's text, as the tutor would."

    def add_arguments(self, parser) -> None:
        parser.add_argument("lesson", help="course-slug/lesson-slug")
        parser.add_argument("question")
        parser.add_argument("--json", action="store_true", help="print the HTTP API's JSON")

    def handle(self, *args, **options) -> None:
        course, _, slug = options["lesson"].partition("/")
        lesson = Lesson.objects.published().filter(course__slug=course, slug=slug).first()
        if lesson is None:
            raise CommandError(f"No published lesson '{options['lesson']}' (use course/lesson).")
        question = options["question"].strip()
        if not question:
            raise CommandError("The question is empty.")
        answer = retrieval.answer_question(index_for(lesson), question[:500])
        citations = [
            {"section": c.section, "anchor": c.anchor, "quote": c.quote} for c in answer.citations
        ]
        if options["json"]:
            payload = {"answer": answer.answer, "grounded": answer.grounded, "citations": citations}
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        self.stdout.write(answer.answer)
        for number, citation in enumerate(citations, start=1):
            url = f"{lesson.get_absolute_url()}#{citation['anchor']}"
            self.stdout.write(f"  [{number}] {citation['section']}: {url}")
        if not answer.grounded:
            self.stdout.write(self.style.WARNING("(declined: the lesson does not cover this)"))
