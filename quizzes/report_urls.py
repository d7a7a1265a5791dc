from django.urls import path

from . import report_views

app_name = "reports"

urlpatterns = [
    path("", report_views.index, name="index"),
    path("preview/", report_views.preview, name="preview"),
    path("import/", report_views.run_import, name="import"),
    path("<slug:course>/", report_views.course, name="course"),
    path("<slug:course>/<slug:lesson>/", report_views.lesson, name="lesson"),
    path("<slug:course>/<slug:lesson>/attempts/", report_views.attempts, name="attempts"),
    path("<slug:course>/<slug:lesson>/tutor-gaps.csv", report_views.gaps, name="gaps"),
]
