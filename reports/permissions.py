"""Who may see reports: staff, and members of the "Instructors" group (migration 0004)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

INSTRUCTORS = "Instructors"


def can_view_reports(user) -> bool:
    return bool(user.is_active and (user.is_staff or user.has_perm("quizzes.view_reports")))


def reports_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous visitors go to sign in; signed-in learners get 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_view_reports(request.user):
            raise PermissionDenied("Reports are for instructors and staff.")
        return view(request, *args, **kwargs)

    return wrapped


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For actions that change the site (importing content): staff only."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied("Only staff can do this.")
        return view(request, *args, **kwargs)

    return wrapped
