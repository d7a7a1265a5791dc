"""Top-level URLs: each app owns its own namespace."""

from django.contrib import admin
from django.urls import include, path

from config import views

urlpatterns = [
    path("healthz/", views.health, name="health"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("reports/", include("reports.urls")),
    path("", include("lessons.urls")),
    path("", include("quizzes.urls")),
    path("", include("tutor.urls")),
]
