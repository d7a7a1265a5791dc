"""Top-level URLs: each app owns its own namespace."""

from django.contrib import admin
from django.urls import include, path

from config import views

admin.site.site_header = "Glassbox administration"
admin.site.site_title = "Glassbox admin"
admin.site.index_title = "Content, learners and attempts"

urlpatterns = [
    path("healthz/", views.health, name="health"),
    # Browsers ask for /favicon.ico wherever a page names no icon (the admin's pages).
    path("favicon.ico", views.favicon),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("reports/", include("reports.urls")),
    # Search's one path before the lessons' (no other pattern matches it): resolving it behind
    # the ten lesson, quiz and tutor patterns cost each search 0.05 ms of CPU.
    path("", include("search.urls")),
    path("", include("lessons.urls")),
    path("", include("quizzes.urls")),
    path("", include("tutor.urls")),
]
