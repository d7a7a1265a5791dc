from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 (connects the lessons_imported receiver)
