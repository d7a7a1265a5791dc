"""Learner accounts on top of Django's auth views: sign-up, sign-in, export, deletion.

Sign-in limits are django-axes' (accounts/signin.py); sign-up and password-reset mails are rate
limited per address here.
"""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.views import LoginView, LogoutView, PasswordResetView
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from core import ratelimit

from .services import export_learner_data

HOUR = 3600
LIMITED_MESSAGE = (
    "Too many requests from your network for this just now. Please wait an hour and try again."
)


def _limited(request: HttpRequest, keys: list[str], limit: int) -> bool:
    """True when this request is over ``limit`` per hour for any of ``keys``."""
    return not ratelimit.hit(keys, limit=limit, window=HOUR).allowed


def _limited_page(request: HttpRequest, title: str) -> HttpResponse:
    context = {"title": title, "message": LIMITED_MESSAGE}
    return render(request, "accounts/rate_limited.html", context, status=429)


class SignInView(LoginView):
    """Django's sign-in; django-axes counts and limits attempts (accounts/signin.py)."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LimitedPasswordResetView(PasswordResetView):
    """Django's reset form, sending at most a few mails per hour per address asked for and per
    network, so the form cannot be used to flood someone's inbox."""

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().casefold()
        keys = [f"reset:email:{email}", f"reset:ip:{ratelimit.client_ip(self.request)}"]
        if _limited(self.request, keys, settings.PASSWORD_RESET_RATE_LIMIT):
            return _limited_page(self.request, "Reset your password")
        return super().form_valid(form)


class SignUpForm(UserCreationForm):
    email = forms.EmailField(
        help_text="Required. We use it only if you need to reset your password.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def validate_password_for_user(self, user, **kwargs):
        # "This password is too common" is about the password, so it belongs under the password
        # field, not under its confirmation (Django's default).
        super().validate_password_for_user(user, password_field_name="password1")  # noqa: S106


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("lessons:my_learning")
    if request.method == "POST" and _limited(
        request, [f"signup:ip:{ratelimit.client_ip(request)}"], settings.SIGN_UP_RATE_LIMIT
    ):
        return _limited_page(request, "Create an account")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="accounts.backends.AccountBackend")
        messages.success(request, "Welcome to Glassbox! Your progress now saves to your account.")
        next_url = request.POST.get("next", "")
        # Only a path on this site (the form's `next` is always one); never through `redirect`,
        # which would look a bare word up as a view name (a 500 after the account was made). A
        # control character (a NUL) is no part of any address here.
        if (
            next_url.startswith("/")
            and next_url.isprintable()
            and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure())
        ):
            return HttpResponseRedirect(next_url)
        return redirect("lessons:my_learning")
    return render(
        request, "accounts/signup.html", {"form": form, "next": request.GET.get("next", "")}
    )


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account.html")


@login_required
def export_data(request: HttpRequest) -> HttpResponse:
    """Everything the site holds about the signed-in learner, as one JSON download."""
    body = json.dumps(export_learner_data(request.user), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="glassbox-my-data.json"'
    return response


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("That password is not right.")
        return password


class SignOutView(LogoutView):
    """Django's sign-out (a POST), then a word on the next page: only the header changes
    otherwise, and a learner on a shared computer wants to know it worked."""

    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # Opened as a page (typed or bookmarked), it offers the button rather than an empty
        # "405": signing out stays a POST, from this site's own form.
        if not request.user.is_authenticated:
            return redirect(settings.LOGOUT_REDIRECT_URL)
        return render(request, "accounts/sign_out.html")

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You have signed out.")
        return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        user.delete()  # cascades to progress, quiz attempts and tutor questions
        messages.success(request, "Your account and everything it held have been deleted.")
        return redirect(settings.LOGOUT_REDIRECT_URL)
    return render(request, "accounts/delete_account.html", {"form": form})
