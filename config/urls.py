"""Top-level URLs: each app owns its own namespace; accounts use Django's auth views."""

from django.contrib import admin
from django.urls import include, path

from config import views
from lessons import accounts

urlpatterns = [
    path("healthz/", views.health, name="health"),
    path("admin/", admin.site.urls),
    path("accounts/login/", accounts.SignInView.as_view(), name="login"),
    path(
        "accounts/password_reset/",
        accounts.LimitedPasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/signup/", accounts.sign_up, name="signup"),
    path("accounts/", accounts.account, name="account"),
    path("accounts/data/", accounts.export_data, name="account_data"),
    path("accounts/delete/", accounts.delete_account, name="account_delete"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("reports/", include("quizzes.report_urls")),
    path("", include("courses.urls")),
    path("", include("lessons.urls")),
    path("", include("quizzes.urls")),
    path("", include("tutor.urls")),
]
