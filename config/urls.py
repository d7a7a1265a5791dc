"""Top-level URLs: each app owns its own namespace; accounts use Django's auth views."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from config import views
from lessons import accounts

admin.site.site_header = "Glassbox administration"
admin.site.site_title = "Glassbox admin"
admin.site.index_title = "Content, learners and attempts"

urlpatterns = [
    path("healthz/", views.health, name="health"),
    # Browsers ask for /favicon.ico wherever a page names no icon (the admin's pages).
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    path("accounts/login/", accounts.SignInView.as_view(), name="login"),
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
