from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("preview/", views.preview, name="preview"),
    path("import/", views.run_import, name="import"),
    path("<slug:course>/", views.course, name="course"),
    path("<slug:course>/<slug:lesson>/", views.lesson, name="lesson"),
    path("<slug:course>/<slug:lesson>/attempts/", views.attempts, name="attempts"),
    path("<slug:course>/<slug:lesson>/tutor-gaps.csv", views.gaps, name="gaps"),
]
