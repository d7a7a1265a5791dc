from django.apps import AppConfig


class LessonsConfig(AppConfig):
    name = "lessons"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 (connects the attempt_recorded receiver)
