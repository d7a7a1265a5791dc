"""Accounts under /accounts/: Django's auth views with our templates, plus our own pages.

The paths are the ones django.contrib.auth.urls uses, so old links keep working; every view
is told its template and where to go next, because Django's defaults name un-namespaced URLs.
"""

from django.contrib.auth import views as auth
from django.urls import path, reverse_lazy

from . import views

app_name = "accounts"

# (path, Django's view, URL name, the URL name it goes to when done, extra options)
AUTH_VIEWS = [
    ("password_change/", auth.PasswordChangeView, "password_change", "password_change_done", {}),
    ("password_change/done/", auth.PasswordChangeDoneView, "password_change_done", None, {}),
    (
        "password_reset/",
        views.LimitedPasswordResetView,
        "password_reset",
        "password_reset_done",
        {"email_template_name": "accounts/password_reset_email.txt"},
    ),
    ("password_reset/done/", auth.PasswordResetDoneView, "password_reset_done", None, {}),
    (
        "reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView,
        "password_reset_confirm",
        "password_reset_complete",
        {},
    ),
    ("reset/done/", auth.PasswordResetCompleteView, "password_reset_complete", None, {}),
]

urlpatterns = [
    path("", views.account, name="account"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("signup/", views.sign_up, name="signup"),
    path("data/", views.export_data, name="data"),
    path("delete/", views.delete_account, name="delete"),
    *(
        path(
            route,
            view.as_view(
                # Our templates keep the file names of Django's defaults, under accounts/.
                template_name=f"accounts/{view.template_name.removeprefix('registration/')}",
                **({"success_url": reverse_lazy(f"accounts:{done}")} if done else {}),
                **options,
            ),
            name=name,
        )
        for route, view, name, done, options in AUTH_VIEWS
    ),
]
