from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self) -> None:
        from . import menu  # noqa: F401 (connects the receivers that keep the menu's answers fresh)
