from django.apps import AppConfig


class TutorConfig(AppConfig):
    name = "tutor"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 (connects the lessons_imported receiver)
