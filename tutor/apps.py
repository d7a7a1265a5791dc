from django.apps import AppConfig


class TutorConfig(AppConfig):
    name = "tutor"

    def ready(self) -> None:
        from courses.importer import lessons_written_hooks

        from .services import index_lessons

        # The importer knows nothing of the tutor; the tutor asks to index each written lesson.
        if index_lessons not in lessons_written_hooks:
            lessons_written_hooks.append(index_lessons)
