from django.apps import AppConfig


class TutorConfig(AppConfig):
    name = "tutor"

    def ready(self) -> None:
        from courses.importer import lesson_written_hooks

        from .services import index_lesson

        # The importer knows nothing of the tutor; the tutor asks to index each written lesson.
        if index_lesson not in lesson_written_hooks:
            lesson_written_hooks.append(index_lesson)
