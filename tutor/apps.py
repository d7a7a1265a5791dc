from django.apps import AppConfig


class TutorConfig(AppConfig):
    name = "tutor"

    def ready(self) -> None:
        from courses.prerender import register_preparer

        from . import indexing, receivers  # noqa: F401 (connects the lessons_imported receiver)

        register_preparer("tutor", indexing.prepare)
