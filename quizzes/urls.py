from django.urls import path

from . import views

app_name = "quizzes"

urlpatterns = [
    path("courses/<slug:course>/<slug:lesson>/quiz/", views.submit, name="submit"),
    path(
        "courses/<slug:course>/<slug:lesson>/quiz/attempts/<uuid:attempt>/",
        views.attempt_detail,
        name="attempt",
    ),
]
